package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// A countPrinter writes the results of count.
type countPrinter interface {
	// file writes the counts of one input.
	file(in *input, c counts)
	// failed writes that an input failed with err.
	failed(in *input, err error)
	// total ends the output with the sum of the counts; several says
	// whether there were several inputs.
	total(sum counts, several bool)
}

// printer returns the countPrinter of the format f asks for, writing to w
// the counts of ins.
func (f *countFlags) printer(w io.Writer, ins []*input) countPrinter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	switch {
	case f.json:
		return &jsonPrinter{enc: enc, files: []fileCounts{}}
	case f.jsonl:
		return jsonlPrinter{enc}
	}
	columns := 1
	for _, on := range []bool{f.chars, f.bytes} {
		if on {
			columns++
		}
	}
	return &tablePrinter{w: w, chars: f.chars, bytes: f.bytes, width: tableWidth(ins, columns)}
}

// tableWidth returns the width of the number columns, chosen as wc chooses
// it: wide enough for the total size of the inputs, and at least 7 when
// some size is unknown, except for a lone number, which is not padded.
func tableWidth(ins []*input, columns int) int {
	if len(ins) == 1 && columns == 1 {
		return 1
	}
	width, size := 1, int64(0)
	for _, in := range ins {
		if in.size < 0 {
			width = 7
		} else {
			size += in.size
		}
	}
	return max(width, len(strconv.FormatInt(size, 10)))
}

// tablePrinter writes lines of tokens, then chars and bytes on request,
// then the name, like wc.
type tablePrinter struct {
	w            io.Writer
	chars, bytes bool
	width        int
}

func (t *tablePrinter) file(in *input, c counts) { t.line(in.name, c) }

// line writes a line of counts, and name unless it is "".
func (t *tablePrinter) line(name string, c counts) {
	line := fmt.Appendf(nil, "%*d", t.width, c.Tokens)
	if t.chars {
		line = fmt.Appendf(line, " %*d", t.width, c.Chars)
	}
	if t.bytes {
		line = fmt.Appendf(line, " %*d", t.width, c.Bytes)
	}
	if name != "" {
		line = append(append(line, ' '), name...)
	}
	t.w.Write(append(line, '\n'))
}

// failed writes nothing: the table is wc's, and the failure is reported
// on stderr.
func (t *tablePrinter) failed(*input, error) {}

func (t *tablePrinter) total(sum counts, several bool) {
	if several {
		t.line("total", sum)
	}
}

// fileCounts is the JSON form of the counts of one input, or of its
// failure, which has an error and no counts.
type fileCounts struct {
	Path string `json:"path"`
	counts
	Error string `json:"error,omitempty"`
}

func (f fileCounts) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	var err error
	if f.Error != "" {
		err = enc.Encode(struct {
			Path  string `json:"path"`
			Error string `json:"error"`
		}{f.Path, f.Error})
	} else {
		type plain fileCounts // without this method
		err = enc.Encode(plain(f))
	}
	return b.Bytes(), err
}

// inputName returns the name of in in JSON and on stderr: its name, "-"
// for stdin and "--text" for the text of --text.
func inputName(in *input) string {
	if in.text != nil {
		return "--text"
	}
	return cmp.Or(in.name, "-")
}

// jsonPrinter writes one object with the files and their total.
type jsonPrinter struct {
	enc   *json.Encoder
	files []fileCounts
}

func (j *jsonPrinter) file(in *input, c counts) {
	j.files = append(j.files, fileCounts{Path: inputName(in), counts: c})
}

func (j *jsonPrinter) failed(in *input, err error) {
	j.files = append(j.files, fileCounts{Path: inputName(in), Error: cause(err).Error()})
}

func (j *jsonPrinter) total(sum counts, _ bool) {
	j.enc.Encode(struct {
		Files []fileCounts `json:"files"`
		Total counts       `json:"total"`
	}{j.files, sum})
}

// jsonlPrinter writes one object a line for each file.
type jsonlPrinter struct{ enc *json.Encoder }

func (j jsonlPrinter) file(in *input, c counts) {
	j.enc.Encode(fileCounts{Path: inputName(in), counts: c})
}

func (j jsonlPrinter) failed(in *input, err error) {
	j.enc.Encode(fileCounts{Path: inputName(in), Error: cause(err).Error()})
}

func (jsonlPrinter) total(counts, bool) {}
