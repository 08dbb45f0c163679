"""The web kit every feature's views use: domain errors as pages and forms, the sign-in guard, safe
redirects. It sits above the kernel and below the features, so it imports neither a feature nor the shell."""
