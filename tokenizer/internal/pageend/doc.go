// Package pageend helps tests check that code reading a text by pointer,
// several bytes at a time, never reads past the text's end: it places
// texts so that they end where readable memory ends, with an inaccessible
// page after them, where such a read faults. It works on Linux only.
package pageend
