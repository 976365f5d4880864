#!/bin/sh
# Regenerates the test models (see README.md). Run from this directory.
set -e
C=../../../../testdata/corpus
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cat $C/en.txt $C/de.txt $C/ru.txt $C/zh.txt $C/ja.txt $C/th.txt $C/code.txt $C/hi.txt >"$T/train.txt"
COMMON="--input=$T/train.txt --normalization_rule_name=identity --add_dummy_prefix=false --remove_extra_whitespaces=false --num_threads=1 --minloglevel=2"
spm_train $COMMON --model_prefix=uni8k --model_type=unigram --vocab_size=8000
spm_train $COMMON --model_prefix=uniud --model_type=unigram --vocab_size=3000 --user_defined_symbols='<mask>,[SEP],http,▁▁,ing▁' --control_symbols='<ctl>' --byte_fallback=true
spm_train $COMMON --model_prefix=char --model_type=char --user_defined_symbols='<mask>,ab'
spm_train $COMMON --model_prefix=word --model_type=word --vocab_size=8000 --user_defined_symbols='<mask>,ab'
rm -f ./*.vocab
