"""The real-time transport: the /ws endpoint (ws.py), one dispatcher per process that orders the live
events, checks each socket's rights and writes frames (dispatch.py), and the presence API (api.py).
It sits above the features whose rules it applies; the event log and publishing it reads from are in
`alveole.live`, below them."""
