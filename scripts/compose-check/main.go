// compose-check loads compose.yaml the way `docker compose config` does (compose-go: the Compose
// Specification schema, interpolation from an env file, references between services) without a Docker
// engine, and prints the resolved project as JSON for the checks that follow it.
//
//	compose-check -env-file .env.example compose.yaml
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	envFile := flag.String("env-file", ".env.example", "variables for interpolation, as `docker compose --env-file`")
	flag.Parse()
	files := flag.Args()
	if len(files) == 0 {
		files = []string{"compose.yaml"}
	}
	options, err := cli.NewProjectOptions(files,
		cli.WithEnvFiles(*envFile),
		cli.WithDotEnv,
		cli.WithName("chirp"),
		cli.WithResolvedPaths(false),
	)
	if err == nil {
		project, loadErr := options.LoadProject(context.Background())
		if loadErr == nil {
			out, _ := json.MarshalIndent(project, "", "  ")
			fmt.Println(string(out))
			return
		}
		err = loadErr
	}
	fmt.Fprintln(os.Stderr, "compose-check:", err)
	os.Exit(1)
}
