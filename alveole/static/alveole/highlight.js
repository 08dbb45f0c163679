// A search result opens with the words it was found by marked (<mark>): the result's link carries them as
// ?highlight=… (search/templates). Case and accents do not matter, and a word also marks the longer words
// it begins ("décision" marks "décisions"), as the index's stemming finds them. Only the post and its
// comments (their .prose) and the page's title are marked, never its chrome; without this script the page is the same, unmarked.

const MIN_LENGTH = 2;
const MAX_WORDS = 8;

// One character folded as the index folds it: lower case, accents dropped.
function fold(ch) {
  const plain = ch.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  return plain.length === 1 ? plain : ch.toLowerCase();
}

function wordsOf(query) {
  return query
    .split(/[\s"'()#@:,.;!?]+/)
    .filter((w) => w.length >= MIN_LENGTH && !/^(from|in)$/i.test(w))
    .map((w) => Array.from(w, fold).join(""))
    .slice(0, MAX_WORDS);
}

function mark(node, words) {
  const text = node.data;
  const folded = Array.from(text, fold);
  const haystack = folded.join("");
  if (haystack.length !== text.length) return; // a character folded to two: leave this text alone
  const ranges = [];
  for (const word of words) {
    let at = haystack.indexOf(word);
    while (at !== -1) {
      const before = at === 0 ? "" : haystack[at - 1];
      if (!/[\p{L}\p{N}]/u.test(before)) ranges.push([at, at + word.length]);
      at = haystack.indexOf(word, at + word.length);
    }
  }
  if (!ranges.length) return;
  ranges.sort((a, b) => a[0] - b[0]);
  const parts = document.createDocumentFragment();
  let last = 0;
  for (const [start, end] of ranges) {
    if (start < last) continue; // overlapping words: the first one wins
    parts.append(text.slice(last, start));
    const found = document.createElement("mark");
    found.className = "search-mark";
    found.textContent = text.slice(start, end);
    parts.append(found);
    last = end;
  }
  parts.append(text.slice(last));
  node.replaceWith(parts);
}

function highlight() {
  const query = new URLSearchParams(window.location.search).get("highlight");
  if (!query) return;
  const words = wordsOf(query);
  if (!words.length) return;
  for (const root of document.querySelectorAll("main .prose, main h1")) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach((node) => mark(node, words));
  }
  document.querySelector("main mark.search-mark")?.scrollIntoView({ block: "center" });
}

highlight();
