package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gemmatok/gemmatok/vocab"
)

func (a *app) convertCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "convert IN OUT",
		Short: "Convert a model between .model and tokenizer.json",
		Long: `convert reads the model IN, a SentencePiece .model, a Hugging Face
tokenizer.json or a built-in model's name (gemma2, gemma3), and writes it to
OUT as a .model or, when OUT ends in .json, as a tokenizer.json, and prints
what it wrote.

tokenizer.json files of the SentencePiece kinds are read: BPE as Gemma, Llama 2
and Mistral use it, and Unigram as T5, mT5, XLM-R and ALBERT do. Others, the
byte-level BPE of GPT-2 and Llama 3 or BERT's WordPiece, are refused with the
kind named. A BPE tokenizer.json has no scores: they are made from the merges'
ranks, so that SentencePiece on the .model gives Hugging Face's ids.`,
		Example: `  gemmatok convert tokenizer.json tokenizer.model
  gemmatok convert tokenizer.model tokenizer.json
  gemmatok convert gemma3 gemma3.model`,
		Args: cobra.ExactArgs(2),
		RunE: a.runE(func(args []string) error {
			if a.modelPath != "" {
				// Silently converting IN instead would write another model
				// than the user named.
				return usagef("convert reads the model IN; --model does not apply")
			}
			return a.convert(args[0], args[1])
		}),
	}
	hideModelFlag(cmd)
	return cmd
}

// convert writes the model in to out, in the form out's extension names.
func (a *app) convert(in, out string) error {
	ext := strings.ToLower(filepath.Ext(out))
	if ext != ".json" && ext != ".model" {
		return usagef("convert: %s: the output must end in .json or .model", out)
	}
	var v *vocab.Vocab
	var err error
	switch {
	case isBuiltin(in):
		v, err = vocab.Builtin(in)
	case isJSONModel(in):
		v, err = vocab.LoadJSONFile(in)
	default:
		v, err = vocab.LoadFile(in)
	}
	if err != nil {
		return pathError(in, err)
	}
	var data []byte
	if ext == ".json" {
		data, err = v.TokenizerJSON()
	} else {
		data, err = v.MarshalBinary()
	}
	if err != nil {
		// The model read has no form in out's format: name it, as a
		// failure to read it is named.
		return fmt.Errorf("%s: %w", in, err)
	}
	if err := os.WriteFile(out, data, 0o666); err != nil {
		return fmt.Errorf("%s: %w", out, cause(err))
	}
	_, err = fmt.Fprintf(a.stdout, "%s: %v, %d pieces, %d bytes\n", out, v.Trainer().Model, v.Size(), len(data))
	return err
}
