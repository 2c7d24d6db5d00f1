// Takes one row of the data set `users` in OnStart, in the mode named by --env MODE=…
// (unique by default), and logs its index, so a test can see which VU got which row. The Go
// port of tests/guests/unique-rows.
package main

import (
	"errors"
	"fmt"

	"horde.local/horde"
)

// The row this VU took.
var row uint64

func onStart() error {
	mode := horde.Unique
	if name, given := horde.Env("MODE"); given {
		switch name {
		case "unique":
		case "sequential":
			mode = horde.Sequential
		case "random":
			mode = horde.Random
		case "per-vu":
			mode = horde.PerVU
		default:
			return fmt.Errorf("unknown MODE %s", name)
		}
	}
	r, err := horde.ReadRow("users", mode)
	if err != nil {
		return err
	}
	user, ok := r.Get("username")
	if !ok {
		return errors.New("no username column")
	}
	horde.Info("row %d user %s", r.Index(), user)
	row = r.Index()
	return nil
}

func health() error {
	_, err := horde.Get("/api/health").Send()
	return err
}

func init() {
	horde.Register(horde.Scenario{
		Name:        "unique-rows",
		Description: "Takes one row of `users` per VU and logs it; then checks health.",
		OnStart:     onStart,
		Wait:        horde.Constant(0.5),
		Tasks:       []horde.Task{{Name: "health", Weight: 1, Run: health}},
	})
}

func main() {}
