#!/bin/bash -eu
# OSS-Fuzz build script (runs in the image of ci/oss-fuzz/Dockerfile, with
# $SRC, $OUT and $SANITIZER set by OSS-Fuzz): builds the three libFuzzer
# targets with ci/libfuzzer.sh into $OUT, with seed corpora from the
# repository's stored cases.
#   fuzz-decode        the binary decoder on arbitrary bytes
#   fuzz-validate      decode, validate, compile and instantiate (interpreter)
#   fuzz-differential  the differential oracle on generated modules (by
#                      default the interpreter vs the JIT, both in the
#                      process): a divergence aborts
cd "$SRC/wasmcheck"

# ClusterFuzz sanitizer names: address, undefined, ... ("none" for coverage builds).
case "${SANITIZER:-address}" in
    address|thread) export SANITIZER ;;
    *) unset SANITIZER ;;
esac
OUT="$OUT" SCRATCH="$WORK/build" SKIP_SMOKE=1 ci/libfuzzer.sh

# Seed corpora: every stored module (regressions, findings) for the decoder
# and the validator; the differential target's inputs are generator seeds,
# which it finds itself.
for target in decode validate; do
    find corpora -name '*.wasm' -print0 | xargs -0 -r zip -q -j "$OUT/fuzz-${target}_seed_corpus.zip" || true
done

cat > "$OUT/fuzz-differential.options" <<'OPTIONS'
[libfuzzer]
max_len = 4096
OPTIONS
