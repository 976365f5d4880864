package pageend

import (
	"syscall"
	"testing"
)

// Placer puts texts at the end of a page of readable memory whose next
// page is inaccessible.
type Placer struct {
	mem  []byte
	page int
}

// New maps the two pages of a Placer, unmapped when t ends; it skips t
// where the system makes no such mapping.
func New(t testing.TB) *Placer {
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("no anonymous mapping:", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[page:], syscall.PROT_NONE); err != nil {
		t.Skip("no mprotect:", err)
	}
	return &Placer{mem, page}
}

// Place copies text, at most a page long, to the end of p's readable page
// and returns that copy, its capacity its length. It overwrites the text
// placed before.
func (p *Placer) Place(text string) []byte {
	edge := p.mem[p.page-len(text) : p.page : p.page]
	copy(edge, text)
	return edge
}
