#!/usr/bin/env bash
# seeds.sh OUTDIR - builds the seed corpora OUTDIR/fuzz_decode and OUTDIR/fuzz_pipeline from samples/ and the corpus.
# fuzz_decode: every frame of the samples and up to 64 frames of each corpus capture
# (tests/fuzz/pcapframes.py). fuzz_pipeline: the captures themselves (cut to their first
# FUZZ_SEED_MAX bytes, default 65536, so libFuzzer's -max_len stays small), plus gzip, zstd
# and xz copies of a few samples. The corpus is used when $CORPUS exists.
. "$(dirname "$0")/../lib.sh"
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
out=$1
here=$(cd "$(dirname "$0")" && pwd)
max=${FUZZ_SEED_MAX:-65536}
mkdir -p "$out/fuzz_decode" "$out/fuzz_pipeline"

# Corpus captures by magic number, not by name (input.pcap, *.cap, *.dmp...).
caps=()
if [ -d "$CORPUS" ]; then
	while IFS= read -r -d '' f; do caps+=("$f"); done < <(
		find "$CORPUS" -type f -size -4M -print0 | sort -z | xargs -0 python3 "$here/pcapframes.py" --list)
fi

python3 "$here/pcapframes.py" "$out/fuzz_decode" "$SAMPLES"/*.pcap >/dev/null || exit 1
if [ ${#caps[@]} -gt 0 ]; then
	python3 "$here/pcapframes.py" "$out/fuzz_decode" --per-file 64 "${caps[@]}" >/dev/null || exit 1
fi

n=0
for f in "$SAMPLES"/*.pcap "${caps[@]}"; do
	n=$((n + 1))
	head -c "$max" "$f" >"$out/fuzz_pipeline/$(printf '%04d' "$n")-$(basename "$f")"
done
for f in "$SAMPLES"/handshake-close-client-first.pcap "$SAMPLES"/ipv6-close-client-first.pcap \
	"$SAMPLES"/port-reuse.pcap; do
	[ -f "$f" ] || continue
	b=$(basename "$f")
	gzip -9c "$f" >"$out/fuzz_pipeline/z-$b.gz"
	if command -v zstd >/dev/null 2>&1; then zstd -q -c "$f" >"$out/fuzz_pipeline/z-$b.zst"; fi
	if command -v xz >/dev/null 2>&1; then xz -c "$f" >"$out/fuzz_pipeline/z-$b.xz"; fi
done
echo "seeds.sh: $(find "$out/fuzz_decode" -type f | wc -l) decoder seeds," \
	"$(find "$out/fuzz_pipeline" -type f | wc -l) pipeline seeds in $out"
