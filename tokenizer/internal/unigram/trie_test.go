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
		{modeltest.ModelPath("uni8k"), "ca409811e25444ab5c0c0a34eae8ef89f74f29ca1bf543366435cf72a9e946c3"},
		{modeltest.ModelPath("uniud"), "94aae1581c37dc13c401f28fc3d211f12b21da985cd339ecfc60c5e53ef514a4"},
		{modeltest.ModelPath("word"), "d2d90d36ff4f9937c6c97e70d1251997f2e0f1dad219214d3ee52356e10e322d"},
		{modeltest.ModelPath("char"), "bcc85f5ca12606dd4125f635397ae5fe7b01473ea389c7e7ad544ceaebe20b3d"},
		{modeltest.SharedModel("unigram_nfkc_cf_bytefb_suffix"), "022077946b12ccf2acdb3d4cbc86c395d0a51d960414586d00288ee485d48892"},
		{modeltest.SharedModel("unigram_userdef_control"), "f0ed433ad531ffad445b1728c678a1123af4b2112932183c9a9adf28906addee"},
		{modeltest.SharedModel("bpe_llama"), "35a0ead5d58521a31f9ec2fc76b9594cb9a2ae1924d5864c35bbb97e9b7b1391"},
		{speedModels[1], "0c34e2ee3eddab9f5ba7a854b8f5905bdc8de066bf982f7bb7f5bac853a730b7"},
	} {
		if _, err := os.Stat(tt.path); err != nil && tt.path == speedModels[1] {
			continue
		}
		m, _ := loadModel(t, tt.path)
		if got := m.trie.digest(); got != tt.digest {
			t.Errorf("%s: trie digest %s, want %s", tt.path, got, tt.digest)
		}
	}
	for _, tt := range []struct{ name, digest string }{{"gemma2", "2af615106247188e25094fbc769bc87ecf8bf0f68438c02ce79072bca6b08ea2"}, {"gemma3", "c62d608a8ebdb01bc7c8cb7274e2390d754dc7f11624ed1eeb40a5bfcbd957c7"}} {
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
	if got, want := newTrie(keys, text).digest(), "5e9d19b076dfe8f24a6135d98fa9ab1916b0cb35f955dfa814248d6819fd37e5"; got != want {
		t.Errorf("long keys: trie digest %s, want %s", got, want)
	}
}
