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
		{modeltest.ModelPath("uni8k"), "cde42759a0742cd1d184a8d7852d3404a26619c8993d164bcab083acd615630b"},
		{modeltest.ModelPath("uniud"), "a3b636063d1cbda3f17a798691cd3431ca7ef0bcacd87b72d34381ccc03418e7"},
		{modeltest.ModelPath("word"), "8789f0c14f81d60fc2e31cdc2a60fce8b398b7f55ba793e02659a8b65673c632"},
		{modeltest.ModelPath("char"), "7344f377385a0b7ac340ee71c7f13a3a6d282d072e28e89a094bb7882cc42889"},
		{modeltest.SharedModel("unigram_nfkc_cf_bytefb_suffix"), "6c0e1b4ab1321611dac1f3e85528524a5740b6d0fccf72702f932c1d6146d57d"},
		{modeltest.SharedModel("unigram_userdef_control"), "421664a7121510788d142838f84d90d28c4a4dca81c225482bf00fa8b81c9ccc"},
		{modeltest.SharedModel("bpe_llama"), "2242da8b42131d963431efb3ba308b410df02b4e9fe7ad413e816741c2fdffa4"},
		{speedModels[1], "2a29589850d8c936cdf4672b63d6fde2d0f38dd7140052d4b74ee8fa22e07de6"},
	} {
		if _, err := os.Stat(tt.path); err != nil && tt.path == speedModels[1] {
			continue
		}
		m, _ := loadModel(t, tt.path)
		if got := m.trie.digest(); got != tt.digest {
			t.Errorf("%s: trie digest %s, want %s", tt.path, got, tt.digest)
		}
	}
	for _, tt := range []struct{ name, digest string }{{"gemma2", "38121ea541b2a01e8fd45d24fe9f8c1bc5ddffbe5b05d36611a229b73cb2a525"}, {"gemma3", "1d8a9d3f38a689287bcea9356a1cfb1af61d6f2f395de9979e7357dce1535f77"}} {
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
