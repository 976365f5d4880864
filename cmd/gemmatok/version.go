package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func (a *app) versionCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of gemmatok",
		Long: `version prints gemmatok's module version, as the Go toolchain stamped it
at build time, and the Go version.`,
		Example: "  gemmatok version",
		Args:    cobra.NoArgs,
		RunE: a.runE(func([]string) error {
			_, err := fmt.Fprintf(a.stdout, "gemmatok %s\n", versionString())
			return err
		}),
	}
	// version uses no model, so its help does not offer --model.
	hideModelFlag(cmd)
	return cmd
}

// hideModelFlag keeps --model out of the help of cmd, a command that reads
// no model through it.
func hideModelFlag(cmd *cobra.Command) {
	cmd.SetHelpFunc(func(c *cobra.Command, args []string) {
		c.Root().PersistentFlags().MarkHidden("model")
		c.Root().HelpFunc()(c, args)
	})
}

// versionString returns the module version the binary was built from (with
// its VCS revision when the toolchain could not make a version of it) and
// the Go version.
func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				v += " " + s.Value
			}
		}
	}
	return fmt.Sprintf("%s %s", v, bi.GoVersion)
}
