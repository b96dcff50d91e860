// Command modelmon runs the data source outside Grafana, through exactly the code path Grafana uses
// (plugin.Datasource's QueryData, CheckHealth and CallResource), so drift checks can be scripted, tested and
// benchmarked.
//
//	modelmon query    --settings S.json --query Q.json --from RFC3339 --to RFC3339 [--interval 1m] [--max-data-points 1000]
//	modelmon health   --settings S.json
//	modelmon resource --settings S.json --path 'features?model=churn'
//	modelmon summary  --settings S.json --from RFC3339 --to RFC3339 --reference-from RFC3339 --reference-to RFC3339
//	modelmon diagnose --settings S.json --from RFC3339 --to RFC3339 --reference-from RFC3339 --reference-to RFC3339
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
)

func main() {
	if len(os.Args) < 2 {
		usage("")
	}
	log.DefaultLogger = log.NewWithLevel(log.Warn) // the SDK's per-query debug lines are for Grafana's log, not stdout
	var err error
	args := os.Args[2:]
	ctx := context.Background()
	switch os.Args[1] {
	case "query":
		err = runQuery(ctx, args, os.Stdout)
	case "health":
		err = runHealth(ctx, args, os.Stdout)
	case "resource":
		err = runResource(ctx, args, os.Stdout)
	case "summary":
		err = runSummary(ctx, args, os.Stdout)
	case "diagnose":
		err = runDiagnose(ctx, args, os.Stdout)
	case "help", "-h", "-help", "--help":
		fmt.Println(usageLine)
		return
	default:
		usage(os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "modelmon:", err)
		os.Exit(1)
	}
}

// usage prints the usage, after "unknown command" when a command was given that is not one, and exits 2.
func usage(command string) {
	if command != "" {
		fmt.Fprintf(os.Stderr, "modelmon: unknown command %q\n", command)
	}
	fmt.Fprintln(os.Stderr, usageLine)
	os.Exit(2)
}

// usageLine is the one-line usage; `modelmon help` (or -h, --help) prints it on stdout and exits 0.
const usageLine = `usage: modelmon query|health|resource|summary|diagnose [flags]   (modelmon <command> -h for flags)`
