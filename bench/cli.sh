#!/usr/bin/env bash
# cli.sh times `gemmatok count` against spm_encode (Debian's sentencepiece
# package) on every *.txt file under a corpus directory, whole process, as
# a user would run them: wall-clock seconds, the best of three runs each.
#
#   bash bench/cli.sh [CORPUS_DIR]      # default ../shared/corpus
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus}
command -v spm_encode >/dev/null || { echo "cli.sh: spm_encode not found (apt-get install sentencepiece)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/gemmatok" ./cmd/gemmatok
mapfile -t files < <(find "$corpus" -type f -name '*.txt' | sort)
bytes=$(cat "${files[@]}" | wc -c)

# best prints the least wall-clock time of three runs of its command.
best() {
	local t least=""
	for _ in 1 2 3; do
		/usr/bin/time -o "$tmp/time" -f %e "$@" >/dev/null 2>"$tmp/err" || { echo "cli.sh: $1 failed:" >&2; cat "$tmp/err" >&2; exit 1; }
		t=$(tail -1 "$tmp/time")
		least=$(awk -v t="$t" -v l="$least" 'BEGIN { print (l == "" || t < l) ? t : l }')
	done
	echo "$least"
}

spm=$(best spm_encode --model=vocab/gemma2.model --output_format=id "${files[@]}")
j1=$(best "$tmp/gemmatok" count -j 1 "${files[@]}")
j2=$(best "$tmp/gemmatok" count -j 2 "${files[@]}")
echo "${#files[@]} files, $bytes bytes, $(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg)"
printf '%-28s %8s s\n' "spm_encode" "$spm" "gemmatok count -j 1" "$j1" "gemmatok count -j 2" "$j2"
awk -v s="$spm" -v a="$j1" -v b="$j2" 'BEGIN { printf "spm_encode / gemmatok -j 2: %.1fx; -j 1 / -j 2: %.2fx\n", s / b, a / b }'
