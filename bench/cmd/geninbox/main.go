// Command geninbox writes the benchmark's synthetic workspace: plan.yaml,
// inbox/<commune code>/{M1,M2,M3,M4} and manifest.json (see bench/README.md).
//
//	geninbox -dir DIR [-communes 2500] [-households 1000] [-cluster-size 3] [-workers 0] [-seed 1]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"doithoai/bench/gen"
)

func main() {
	dir := flag.String("dir", "", "workspace folder to write (required)")
	communes := flag.Int("communes", 2500, "communes of the plan")
	households := flag.Int("households", 1000, "M1 rows per commune")
	clusterSize := flag.Int("cluster-size", gen.DefaultClusterSize, "communes per cluster")
	workers := flag.Int("workers", 0, "communes written at once (0: one per core)")
	seed := flag.Int64("seed", 1, "random seed")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "geninbox: -dir is required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	m, err := gen.Generate(ctx, *dir, gen.Options{Communes: *communes, Households: *households, ClusterSize: *clusterSize, Workers: *workers, Seed: *seed})
	if err != nil {
		fmt.Fprintln(os.Stderr, "geninbox:", err)
		os.Exit(1)
	}
	fmt.Printf("generated %d files (%d communes in %d clusters × %d households; %d data rows: M1 %d, M2 %d, M3 %d, M4 %d; %.1f MiB) in %v with %d workers\n",
		len(m.Files), m.Communes, m.Clusters, m.Households, m.DataRows, m.Rows["M1"], m.Rows["M2"], m.Rows["M3"], m.Rows["M4"],
		float64(m.Bytes)/(1<<20), m.Elapsed.Round(time.Millisecond), m.Workers)
}
