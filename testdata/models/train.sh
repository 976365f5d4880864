#!/usr/bin/env bash
# train.sh regenerates the test models in this directory with Debian's
# spm_train (package sentencepiece 0.1.97) from the language files in
# ../corpus. The flags fix every source of randomness (one thread, a fixed
# seed, no sampling or shuffling of the input), so a rerun rewrites the same
# bytes. README.md lists each model with the command line this script runs.
#
#   testdata/models/train.sh              # the small, committed models
#   testdata/models/train.sh --big OUT    # the large Unigram model, to OUT
#
# The large model is built from every *.txt of the shared corpus
# (SHARED_CORPUS, default /work/shared/corpus), not committed; see README.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
corpus=$(cd "$here/../corpus" && pwd)
spm_train=${SPM_TRAIN:-spm_train}

# Every language file of the test corpus, in a fixed order; adversarial/ is
# left out on purpose (it holds invalid UTF-8 and odd whitespace). The model
# records its trainer flags, input names included, so spm_train runs in a
# scratch directory holding links to its inputs under their bare names: the
# bytes of a model do not depend on where the repository is checked out.
names() { (cd "$1" && ls -- *.txt | LC_ALL=C sort | paste -sd, -); }
input=$(names "$corpus")

# common holds the flags every model shares: reproducibility first.
common=(
	--input="$input"
	--num_threads=1
	--random_seed=1
	--input_sentence_size=0
	--shuffle_input_sentence=false
	--minloglevel=1
)

train() { # train NAME FLAGS...: NAME.model in $here; the .vocab is dropped.
	local name=$1
	shift
	local tmp
	tmp=$(mktemp -d)
	ln -s "$corpus"/*.txt "$here"/*.tsv "$tmp"/
	(cd "$tmp" && "$spm_train" "${common[@]}" --model_prefix="$name" "$@") >"$tmp/log" 2>&1 || {
		cat "$tmp/log" >&2
		rm -rf "$tmp"
		echo "train.sh: $name failed" >&2
		return 1
	}
	mv "$tmp/$name.model" "$here/$name.model"
	rm -rf "$tmp"
	echo "$name.model $(wc -c <"$here/$name.model") bytes"
}

if [[ ${1:-} == --big ]]; then
	out=${2:?usage: train.sh --big OUT.model}
	shared=${SHARED_CORPUS:-/work/shared/corpus}
	big_input=$(names "$shared")
	tmp=$(mktemp -d)
	ln -s "$shared"/*.txt "$tmp"/
	# Two threads: the EM sums are merged in thread order, so the result is
	# reproducible for a fixed --num_threads (and differs for another).
	(cd "$tmp" && "$spm_train" --input="$big_input" --model_prefix=big \
		--model_type=unigram --vocab_size=131072 --hard_vocab_limit=false \
		--input_sentence_size=2000000 --shuffle_input_sentence=false \
		--max_sentencepiece_length=16 --num_threads=2 --random_seed=1 \
		--minloglevel=1) >"$tmp/log" 2>&1 || {
		cat "$tmp/log" >&2
		rm -rf "$tmp"
		exit 1
	}
	mv "$tmp/big.model" "$out"
	rm -rf "$tmp"
	echo "$out $(wc -c <"$out") bytes"
	exit 0
fi

train unigram8k_nmt_nfkc --model_type=unigram --vocab_size=8000
train unigram_nfkc_cf_bytefb_suffix --model_type=unigram --vocab_size=4000 \
	--normalization_rule_name=nfkc_cf --byte_fallback=true \
	--treat_whitespace_as_suffix=true
train unigram_userdef_control --model_type=unigram --vocab_size=4000 \
	--user_defined_symbols='<start_of_turn>,<end_of_turn>,@@,@@@,http,https,日本,▁the' \
	--control_symbols='<ctl1>,<ctl2>'
train unigram_rule_tsv --model_type=unigram --vocab_size=4000 \
	--normalization_rule_tsv=rule.tsv \
	--denormalization_rule_tsv=denorm_rule.tsv
train unigram_nosplit --model_type=unigram --vocab_size=4000 \
	--split_by_whitespace=false
train bpe_llama --model_type=bpe --vocab_size=4000 \
	--add_dummy_prefix=true --byte_fallback=true \
	--remove_extra_whitespaces=false --normalization_rule_name=identity
train bpe_nmt_nfkc --model_type=bpe --vocab_size=4000
train bpe_identity_rmws --model_type=bpe --vocab_size=4000 \
	--normalization_rule_name=identity --remove_extra_whitespaces=true
train unigram_noprefix_noescape --model_type=unigram --vocab_size=4000 \
	--add_dummy_prefix=false
# spm_train has no --escape_whitespaces flag (NormalizerSpec field 5 is set
# only through the API), so the trained model is patched: a second
# escape_whitespaces=false is appended to its normalizer_spec (field 3), and
# protobuf's last-one-wins rule makes it the value the C++ reads.
python3 - "$here/unigram_noprefix_noescape.model" <<'PY'
import sys

def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1
        v |= (c & 0x7F) << s; s += 7
        if c < 0x80:
            return v, i

def put_varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append(v & 0x7F | 0x80); v >>= 7
    out.append(v)
    return bytes(out)

path = sys.argv[1]
b = open(path, 'rb').read()
out, i = bytearray(), 0
while i < len(b):
    start = i
    key, i = varint(b, i)
    wire = key & 7
    if wire == 0:
        _, i = varint(b, i)
    elif wire == 1:
        i += 8
    elif wire == 5:
        i += 4
    elif wire == 2:
        n, j = varint(b, i)
        i = j + n
        if key >> 3 == 3:
            body = b[j:i] + bytes([5 << 3 | 0, 0])
            out += put_varint(key) + put_varint(len(body)) + body
            continue
    else:
        sys.exit('unexpected wire type %d' % wire)
    out += b[start:i]
open(path, 'wb').write(out)
PY
train char --model_type=char --vocab_size=4000 --hard_vocab_limit=false
train word --model_type=word --vocab_size=8000
