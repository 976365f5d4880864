package seg_test

import (
	"slices"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/modeltest"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/vocab"
)

// TestReplayUnknownRun checks that a run of unknown pieces gives one
// unknown id whatever Replay calls it comes in, empty ones included.
func TestReplayUnknownRun(t *testing.T) {
	v, err := vocab.LoadFile(modeltest.ModelPath("uni8k"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Trainer().ByteFallback {
		t.Fatal("uni8k has byte fallback: unknown pieces would become bytes")
	}
	unk := v.Unk()
	known := v.Lookup("▁")
	norm := []byte("xx▁y")
	for _, mode := range []seg.Mode{seg.IDs, seg.Spans} {
		for _, room := range []int{0, 16} {
			var o seg.Sink
			o.IDs = make([]int32, 0, room)
			o.Reset(v, norm, mode)
			o.Replay([]seg.Piece{{unk, 1}}, 0)
			o.Replay(nil, 1)
			o.Replay([]seg.Piece{{unk, 1}, {known, 3}}, 1)
			o.Replay(nil, 5)
			o.Replay([]seg.Piece{{unk, 1}}, 5)
			if want := []int32{unk, known, unk}; !slices.Equal(o.IDs, want) || o.N != len(want) {
				t.Errorf("mode %d, room %d: ids %v (N %d), want %v", mode, room, o.IDs, o.N, want)
			}
			if want := []seg.Span{{0, 2}, {2, 5}, {5, 6}}; mode == seg.Spans && !slices.Equal(o.Spans, want) {
				t.Errorf("room %d: spans %v, want %v", room, o.Spans, want)
			}
		}
	}
}

// TestReplayOne checks that ReplayOne, with Replay where it declines,
// leaves a sink as Replay alone does, in every mode, with room for the id
// or without, for known and unknown pieces after either.
func TestReplayOne(t *testing.T) {
	v, err := vocab.LoadFile(modeltest.ModelPath("uni8k"))
	if err != nil {
		t.Fatal(err)
	}
	unk, known := v.Unk(), v.Lookup("▁")
	norm := []byte("x▁xx▁")
	pieces := []seg.Piece{{unk, 1}, {known, 3}, {unk, 1}, {unk, 1}, {known, 3}}
	for _, mode := range []seg.Mode{seg.Count, seg.IDs, seg.Spans} {
		for _, room := range []int{0, 2, 16} {
			var one, all seg.Sink
			one.IDs, all.IDs = make([]int32, 0, room), make([]int32, 0, room)
			one.Reset(v, norm, mode)
			all.Reset(v, norm, mode)
			base := 0
			for _, p := range pieces {
				if !one.ReplayOne(p.ID) {
					one.Replay([]seg.Piece{p}, base)
				}
				all.Replay([]seg.Piece{p}, base)
				base += int(p.Len)
			}
			if one.N != all.N || !slices.Equal(one.IDs, all.IDs) || !slices.Equal(one.Spans, all.Spans) {
				t.Errorf("mode %d, room %d: ReplayOne gives %d tokens %v %v, Replay %d %v %v", mode, room, one.N, one.IDs, one.Spans, all.N, all.IDs, all.Spans)
			}
		}
	}
}
