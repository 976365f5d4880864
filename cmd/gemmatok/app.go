package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // some input failed; the others were processed
	exitUsage  = 2 // bad flags or arguments
)

// helpWidth is the width of the lines of --help.
const helpWidth = 80

// modelEnv names the environment variable that replaces the embedded model
// when --model is not given.
const modelEnv = "GEMMATOK_MODEL"

// app is the state one run of gemmatok shares between its commands.
type app struct {
	stdin          *os.File
	stdout, stderr io.Writer

	modelPath string // --model

	// started is set once cobra has accepted the flags and arguments and
	// a command runs, so that errors before it are usage errors.
	started bool

	mu     sync.Mutex // guards failed and writes to stderr
	failed bool       // some input failed; its error was reported
}

// usageError marks an error in the command line found by a command itself,
// such as a flag value out of range.
type usageError struct{ error }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// errFailed is returned by commands that reported their failures as they
// met them, to set the exit status.
var errFailed = errors.New("some inputs failed")

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "gemmatok",
		Short: "Count, encode and decode text with Gemma's tokenizer, exactly as SentencePiece does",
		Long: `gemmatok counts, encodes and decodes text with Gemma's tokenizer (256,000
pieces, embedded), giving exactly the ids of Google's SentencePiece.

Every command that reads a model takes --model PATH, or the ` + modelEnv + `
environment variable, to use another: gemma3 (Gemma 3's, embedded too), any
SentencePiece .model (BPE, Unigram, char or word) or a Hugging Face
tokenizer.json of the SentencePiece kinds. The exit status is 0 when all
went well, 1 when some input failed and 2 for bad usage.`,
		Example: `  gemmatok count README.md cmd/
  gemmatok count --text 'Hello, world'
  cat prompt.txt | gemmatok count
  gemmatok encode --format pieces <<< 'Hello, world'`,
		Version:       versionString(),
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	// --version prints what gemmatok version does, not cobra's "gemmatok
	// version v1.2".
	root.SetVersionTemplate("gemmatok {{.Version}}\n")
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{plainFlagError(err)} })
	// Flags as cobra lists them, but with their usage wrapped to fit
	// helpWidth columns, as the prose above them is.
	root.SetUsageTemplate(strings.ReplaceAll(root.UsageTemplate(), "Flags.FlagUsages", "Flags.FlagUsagesWrapped "+strconv.Itoa(helpWidth)))
	root.PersistentFlags().StringVar(&a.modelPath, "model", "", "SentencePiece .model or tokenizer.json `PATH`, or a built-in model: gemma2 or gemma3 (default $"+modelEnv+", else gemma2)")
	root.AddCommand(
		a.countCommand(),
		a.encodeCommand(),
		a.decodeCommand(),
		a.chatCommand(),
		a.truncateCommand(),
		a.infoCommand(),
		a.convertCommand(),
		a.versionCommand(),
	)
	return root
}

// plainFlagError returns err, the failure to parse a flag, worded the
// same for every flag: "invalid argument V for --name: why", where pflag
// writes `for "--name" flag` and, for a number, quotes the strconv error
// ("strconv.ParseInt: parsing "abc": invalid syntax"), which speaks of Go,
// not of the flag.
func plainFlagError(err error) error {
	ive, ok := errors.AsType[*pflag.InvalidValueError](err)
	if !ok {
		return err
	}
	why := ive.Unwrap()
	if ne, isNum := errors.AsType[*strconv.NumError](err); isNum {
		why = errors.New("want a whole number")
		switch {
		case errors.Is(ne.Err, strconv.ErrRange):
			why = errors.New("out of range")
		case ne.Func == "ParseFloat":
			why = errors.New("want a number")
		case ne.Func == "ParseBool":
			why = errors.New("want true or false")
		}
	}
	f := ive.GetFlag()
	name := "--" + f.Name
	if f.Shorthand != "" {
		name = "-" + f.Shorthand + " (" + name + ")"
	}
	return fmt.Errorf("invalid argument %q for %s: %v", ive.GetValue(), name, why)
}

// runE makes fn the RunE of a command.
func (a *app) runE(fn func(args []string) error) func(*cobra.Command, []string) error {
	return func(_ *cobra.Command, args []string) error {
		a.started = true
		return fn(args)
	}
}

// exit reports err, the result of running cmd, and returns the exit status.
func (a *app) exit(cmd *cobra.Command, err error) int {
	var ue usageError
	switch {
	case err == nil:
		if a.failed {
			return exitFailed
		}
		return exitOK
	case errors.Is(err, errFailed):
		return exitFailed
	case !a.started || errors.As(err, &ue):
		fmt.Fprintf(a.stderr, "gemmatok: %v\nRun '%s --help' for usage.\n", err, cmd.CommandPath())
		return exitUsage
	}
	fmt.Fprintf(a.stderr, "gemmatok: %v\n", err)
	return exitFailed
}

// fail reports that input name failed with err and carries on.
func (a *app) fail(name string, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failed = true
	if l, ok := a.stdout.(*lastByteWriter); ok {
		// On a terminal, the message starts a line of its own.
		l.endLine()
	}
	fmt.Fprintf(a.stderr, "gemmatok: %s: %v\n", name, cause(err))
}

// note reports something about input name that is not a failure.
func (a *app) note(name, msg string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	fmt.Fprintf(a.stderr, "gemmatok: %s: %s\n", name, msg)
}

// cause strips the operation and path that an *fs.PathError repeats, since
// the messages name the input already.
func cause(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// modelSource returns the path of the model to use, or "" for the embedded
// one.
func (a *app) modelSource() string {
	if a.modelPath != "" {
		return a.modelPath
	}
	return os.Getenv(modelEnv)
}

// tokenizer loads the model the command line asks for.
func (a *app) tokenizer() (*tokenizer.Tokenizer, error) {
	path := a.modelSource()
	if path == "" {
		return tokenizer.Default()
	}
	tok, err := loadModel(path)
	if err != nil {
		return nil, a.modelError(path, err)
	}
	return tok, nil
}

// modelError returns err, the failure to load the model at path, as the
// commands report it: after "model", with where the path came from when
// it was $GEMMATOK_MODEL, which a user may have forgotten setting.
func (a *app) modelError(path string, err error) error {
	err = pathError(path, err)
	if a.modelPath == "" {
		return fmt.Errorf("model (from $%s): %w", modelEnv, err)
	}
	return fmt.Errorf("model: %w", err)
}
