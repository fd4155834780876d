#!/usr/bin/env bash
# The repository documents itself: README.md, docs/ and the committed reports
# never point outside the repository (no ../ links, no files of a sibling
# folder), and every relative Markdown link they hold resolves to a file
# inside it.
# Args: MARKDOWN_FILE...
set -uo pipefail
status=0
for f in "$@"; do
  if grep -nE '\.\./shared|SPEC\.md|DESIGN\.md' "$f"; then
    echo "FAIL $f points outside the repository"
    status=1
  fi
  dir=$(dirname "$f")
  # Relative links: ](path) without a scheme or an anchor.
  while IFS= read -r link; do
    target=${link%%#*}
    [[ -z $target ]] && continue
    resolved=$(realpath -m -s "$dir/$target")
    root=$(realpath -m -s "$PWD")
    if [[ $resolved != "$root"/* ]]; then
      echo "FAIL $f links to $link, outside the repository"
      status=1
    elif [[ ! -e $resolved ]]; then
      echo "FAIL $f links to $link, which does not exist"
      status=1
    fi
  done < <(grep -oE '\]\([^)]+\)' "$f" | sed -E 's/^\]\((.*)\)$/\1/' | grep -vE '^[a-z]+:')
done
((status == 0)) && echo "checked $# Markdown files: self-contained"
exit $status
