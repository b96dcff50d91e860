package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// An unknown command says so before the usage and exits 2. The test runs main in a child process (this test
// binary again, with the command in MODELMON_MAIN_ARGS), since main exits.
func TestUnknownCommand(t *testing.T) {
	if args := os.Getenv("MODELMON_MAIN_ARGS"); args != "" {
		os.Args = append([]string{"modelmon"}, strings.Fields(args)...)
		main()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestUnknownCommand$")
	cmd.Env = append(os.Environ(), "MODELMON_MAIN_ARGS=summarize --from x")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("exit %v, want 2\n%s", err, out)
	}
	want := "modelmon: unknown command \"summarize\"\nusage: modelmon query|health|resource|summary|diagnose [flags]   (modelmon <command> -h for flags)\n"
	if string(out) != want {
		t.Errorf("output\n%s\nwant\n%s", out, want)
	}
}

// A missing time flag is named as missing (not as a badly formatted time), in the order the flags are listed;
// a malformed one still says it must be RFC 3339.
func TestMissingTimeFlag(t *testing.T) {
	for args, want := range map[string]string{
		"--from 2026-10-01T00:00:00Z --to 2026-10-08T00:00:00Z --reference-to 2026-09-01T00:00:00Z": "--reference-from is missing: give it as RFC 3339 (e.g. 2026-10-01T00:00:00Z)",
		"--reference-from 2026-09-01T00:00:00Z":                                                     "--from is missing: give it as RFC 3339 (e.g. 2026-10-01T00:00:00Z)",
		"--from 2026-10-01 --to 2026-10-08T00:00:00Z":                                               `--from must be RFC 3339 (e.g. 2026-10-01T00:00:00Z): parsing time "2026-10-01"`,
	} {
		fs := flag.NewFlagSet("summary", flag.ContinueOnError)
		ff := newFleetFlags(fs)
		if err := fs.Parse(strings.Fields(args)); err != nil {
			t.Fatal(err)
		}
		_, _, err := ff.run(context.Background(), map[string]any{"queryType": "drift"})
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: %v, want %q", args, err, want)
		}
	}
}
