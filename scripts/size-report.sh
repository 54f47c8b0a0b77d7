#!/usr/bin/env bash
# Measures IMAGE against BASE with regsize and writes a pull-request comment's markdown to $1:
# a status line (the --max-increase gate), the compare table (sizes, download times, the change)
# and the diff (what IMAGE adds, layer by layer, folded). Shared by action.yml and
# ci/gitlab/regsize.gitlab-ci.yml; the comment itself is posted by scripts/pr-comment.mjs.
#
# Environment: REGSIZE_BASE, REGSIZE_IMAGE (required), REGSIZE_MAX_INCREASE, REGSIZE_BANDWIDTH,
# REGSIZE_PLATFORM (optional), REGSIZE_BIN (default: regsize on PATH).
# Exit code: regsize diff's own (0 ok, 1 an image failed, 2 bad input, 3 over --max-increase),
# so the job can post the comment first and fail afterwards.
set -uo pipefail
out=${1:?usage: size-report.sh OUTPUT.md}
: "${REGSIZE_BASE:?set REGSIZE_BASE to the base image, e.g. ghcr.io/org/app:main}"
: "${REGSIZE_IMAGE:?set REGSIZE_IMAGE to the image to measure, e.g. ghcr.io/org/app:pr-42}"
regsize=${REGSIZE_BIN:-regsize}

common=()
if [ -n "${REGSIZE_PLATFORM:-}" ]; then common+=(--platform "$REGSIZE_PLATFORM"); fi
bandwidth=()
if [ -n "${REGSIZE_BANDWIDTH:-}" ]; then bandwidth+=(--bandwidth "$REGSIZE_BANDWIDTH"); fi
gate=()
if [ -n "${REGSIZE_MAX_INCREASE:-}" ]; then gate+=(--max-increase "$REGSIZE_MAX_INCREASE"); fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$regsize" compare "$REGSIZE_BASE" "$REGSIZE_IMAGE" --format markdown "${common[@]}" "${bandwidth[@]}" >"$tmp/compare.md" 2>"$tmp/messages"
"$regsize" diff "$REGSIZE_BASE" "$REGSIZE_IMAGE" --format markdown "${common[@]}" "${gate[@]}" >"$tmp/diff.md" 2>>"$tmp/messages"
code=$?
cat "$tmp/messages" >&2

# The references are the workflow's text (perhaps a branch name): no backticks or line breaks,
# so they stay inside their code spans.
plain() { printf '%s' "$1" | tr -d '`\r\n'; }
base=$(plain "$REGSIZE_BASE")
image=$(plain "$REGSIZE_IMAGE")
limit=$(plain "${REGSIZE_MAX_INCREASE:-}")

{
  printf '### Image size: `%s` against `%s`\n\n' "$image" "$base"
  case $code in
    # Words, not only an emoji, so the status reads the same in a mail notification or a terminal.
    0) if [ -n "$limit" ]; then printf '**Passed:** within `--max-increase %s`.\n\n' "$limit"; fi ;;
    3) printf '**Failed:** larger than `--max-increase %s` allows.\n\n' "$limit" ;;
    *) printf '**Not measured:** regsize exited %s; its messages are below.\n\n' "$code" ;;
  esac
  if [ -s "$tmp/compare.md" ]; then cat "$tmp/compare.md"; printf '\n'; fi
  if [ -s "$tmp/diff.md" ]; then
    printf '<details><summary>What the image adds to its base, layer by layer</summary>\n\n'
    cat "$tmp/diff.md"
    printf '\n</details>\n\n'
  fi
  if [ -s "$tmp/messages" ]; then
    # Messages quote the registry's text: a fence longer than any backtick run inside keeps them literal.
    longest=$(grep -o '`\+' "$tmp/messages" | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
    fence=$(printf '%*s' $((longest < 3 ? 3 : longest + 1)) '' | tr ' ' '`')
    printf '%s\n' "$fence"
    cat "$tmp/messages"
    printf '%s\n\n' "$fence"
  fi
  printf '<sub>Measured by regsize, straight from the registries, without pulling.</sub>\n'
} >"$out"
exit "$code"
