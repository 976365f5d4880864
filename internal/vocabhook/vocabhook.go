// Package vocabhook lets the packages of this module read the pieces of a
// vocab.Vocab in bulk, as package vocab keeps them, where its methods give
// them one at a time.
package vocabhook

// Pieces returns the pieces of v, a *vocab.Vocab. Package vocab sets it
// when it is initialized.
var Pieces func(v any) Raw

// Raw is a vocabulary's pieces, which the caller must not modify: piece i
// is Data[Starts[i]:Starts[i]+Lens[i]], of score Scores[i] and type
// Types[i] (a vocab.Type).
type Raw struct {
	Data   string
	Starts []uint32
	Lens   []uint16
	Scores []float32
	Types  []uint8
}
