package unigram

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/modeltest"
	"github.com/gemmatok/gemmatok/vocab"
)

// digest returns a hash of the trie's units, tails and heads.
func (t *trie) digest() string {
	h := sha256.New()
	var b []byte
	for _, u := range t.units {
		b = binary.LittleEndian.AppendUint32(b, u.base)
		b = binary.LittleEndian.AppendUint32(b, uint32(u.label))
		b = binary.LittleEndian.AppendUint32(b, uint32(u.id))
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(u.score))
	}
	h.Write(b)
	h.Write(t.tails)
	b = b[:0]
	for _, x := range t.heads {
		b = binary.LittleEndian.AppendUint32(b, x)
	}
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// longKeys returns 2000 random keys over a few bytes, a quarter of them
// longer than a tail holds, and the text that holds their bytes.
func longKeys() ([]trieKey, []byte) {
	rng := rand.New(rand.NewPCG(1, 2))
	var text []byte
	var keys []trieKey
	for id := range int32(2000) {
		n := 1 + rng.IntN(8)
		if id%4 == 0 {
			n = maxTail - 10 + rng.IntN(300)
		}
		off := len(text)
		for range n {
			text = append(text, "ab\xff"[rng.IntN(3)])
		}
		keys = append(keys, trieKey{uint32(off), int32(n), id, 0})
	}
	return keys, text
}

// TestTrieLayout checks that the trie is built unit for unit as it was
// when the digests were taken, on the test models, the large benchmark
// model when present, and keys longer than tails.
func TestTrieLayout(t *testing.T) {
	for _, tt := range []struct{ path, digest string }{
		{modeltest.ModelPath("uni8k"), "4907756aa8dd41c770e9146ec3dc311213fda2f7791431afb55ab690b3a7cb54"},
		{modeltest.ModelPath("uniud"), "4a54b39ece5d1bbd6ebc7dd23e68209535b15f3d03354cfe8966c2781b83cc0c"},
		{modeltest.ModelPath("word"), "ce8182a0ccd344f682697b08ec6d42e74f9372132879fbeb994a04954960bca8"},
		{modeltest.ModelPath("char"), "56798ce904e70e571c23fb29c5ec599f1540b774792b8148700dd1fc0c55bdca"},
		{modeltest.SharedModel("unigram_nfkc_cf_bytefb_suffix"), "69ffaf4dac4f068ab2e52c53daf0e0b14914437071dc5848496eb4885e4dbac1"},
		{modeltest.SharedModel("unigram_userdef_control"), "2bdbf0d3ea5970db3d54619c5b79a2e511cece8eed80e53a6eb82670b9a93cef"},
		{modeltest.SharedModel("bpe_llama"), "8d6ef41b89395d4bd1eb932f0f3814f9a08046f89ce0c05c0de2b8995c1bd2f0"},
		{speedModels[1], "000cad9f35126bd9fddbf33d0a2ef7b4e9f54d1651f6766a0749a76c089b210b"},
	} {
		if _, err := os.Stat(tt.path); err != nil && tt.path == speedModels[1] {
			continue
		}
		m, _ := loadModel(t, tt.path)
		if got := m.trie.digest(); got != tt.digest {
			t.Errorf("%s: trie digest %s, want %s", tt.path, got, tt.digest)
		}
	}
	for _, tt := range []struct{ name, digest string }{{"gemma2", "2127f3996018ac2cefa8009499c21c4d1434f28d7b8fbfcbbe35fdae644ebaf7"}, {"gemma3", "bed394ab2451863feff480077f0c2516eff13da55d6b36cf167071df4a5a281e"}} {
		v, err := vocab.Builtin(tt.name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := New(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.trie.digest(); got != tt.digest {
			t.Errorf("%s: trie digest %s, want %s", tt.name, got, tt.digest)
		}
	}
	keys, text := longKeys()
	if got, want := newTrie(keys, text).digest(), "197612ae7118240bd12fceaca8fa996fd0bacdb99bb9e51ec74b24f39f018078"; got != want {
		t.Errorf("long keys: trie digest %s, want %s", got, want)
	}
}
