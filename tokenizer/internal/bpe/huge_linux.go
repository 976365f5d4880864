package bpe

import (
	"syscall"
	"unsafe"
)

// hugePage is the size of a huge page of x86-64 and arm64 Linux.
const hugePage = 2 << 20

// hugeWords returns a copy of words in anonymous memory that the kernel is
// asked to back with huge pages (madvise MADV_HUGEPAGE: transparent huge
// pages in their "madvise" mode, the usual default, give them only so),
// or words itself when the memory cannot be had. The copy is never freed:
// it lives as long as the process, as the embedded words do.
func hugeWords(words []uint64) []uint64 {
	size := (len(words)*8 + hugePage - 1) / hugePage * hugePage
	if size == 0 {
		return words
	}
	// One huge page more, to start the copy on a huge page's boundary.
	mem, err := syscall.Mmap(-1, 0, size+hugePage, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return words
	}
	off := (hugePage - int(uintptr(unsafe.Pointer(unsafe.SliceData(mem))))%hugePage) % hugePage
	mem = mem[off : off+size]
	if syscall.Madvise(mem, syscall.MADV_HUGEPAGE) != nil {
		return words // the pages untouched cost nothing
	}
	out := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(mem))), len(words))
	copy(out, words)
	return out
}
