// Checks, custom metrics of every kind, and a threshold in its metadata, with values the tests
// can predict from the iteration count. A port of tests/guests/measures to the Go SDK.
package main

import (
	"fmt"

	"horde.local/horde"
)

var (
	profilesRead   = horde.NewCounter("profiles_read")
	lastIteration  = horde.NewGauge("last_iteration")
	even           = horde.NewRate("even_iteration")
	iterationValue = horde.NewTrend("iteration_value")
	token          string
)

func onStart() error {
	login, err := horde.Post("/api/auth/login").
		JSON(`{"username": "testuser", "password": "password123"}`).WantBody().Send()
	if err != nil {
		return err
	}
	token = horde.JSONString(login.Body, "access_token")
	return nil
}

func profile() error {
	r, err := horde.Get("/api/users/me").Bearer(token).Send()
	if err != nil {
		return err
	}
	horde.Check("profile status is 200", r.Status == 200)
	i := horde.Iteration()
	horde.Check("iteration is even", i%2 == 0, horde.Tag{"vu", fmt.Sprint(horde.VuID())})
	profilesRead.Add(1)
	profilesRead.Add(2, horde.Tag{"kind", "double"})
	lastIteration.Set(float64(i))
	even.Add(i%2 == 0)
	iterationValue.Add(float64(i))
	horde.NewCounter("not a valid name").Add(1)
	return nil
}

func init() {
	horde.Register(horde.Scenario{
		Name:       "measures",
		OnStart:    onStart,
		Thresholds: []string{"checks{check:profile status is 200}: rate==1", "profiles_read: count>0"},
		Tasks:      []horde.Task{{Name: "profile", Weight: 1, Run: profile}},
	})
}

func main() {}
