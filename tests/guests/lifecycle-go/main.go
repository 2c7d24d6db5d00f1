// Setup logs in once and hands the token to every VU; each VU reads its profile with it and
// counts an order in a shared counter; teardown logs the token out and logs the counters.
// With --env FAIL_SETUP=1, setup fails after its login. The Go port of tests/guests/lifecycle.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"horde.local/horde"
)

func setup() ([]byte, error) {
	login, err := horde.Post("/api/auth/login").
		JSON(`{"username": "testuser", "password": "password123"}`).
		WantBody().
		Send()
	if err != nil {
		return nil, err
	}
	var body struct {
		AccessToken *string `json:"access_token"`
	}
	if err := json.Unmarshal(login.Body, &body); err != nil {
		return nil, err
	}
	if body.AccessToken == nil {
		return nil, errors.New("no access_token")
	}
	if _, fail := horde.Env("FAIL_SETUP"); fail {
		return nil, errors.New("asked to fail (FAIL_SETUP)")
	}
	return []byte(*body.AccessToken), nil
}

func teardown(token []byte) error {
	if !utf8.Valid(token) {
		return errors.New("setup's value is not UTF-8")
	}
	_, err := horde.Post("/api/auth/logout").Bearer(string(token)).Expect(204).Send()
	if err != nil {
		return err
	}
	leader, _ := horde.SharedGet("leader")
	horde.Info("teardown: orders=%d leaders=%d leader=%s",
		horde.SharedCounterGet("orders"), horde.SharedCounterGet("leaders"), leader)
	return nil
}

// This VU's copy of setup's token.
var token string

func onStart() error {
	token = horde.SetupText()
	if token == "" {
		return errors.New("setup's value did not reach this VU")
	}
	// Only one VU of the run may win this.
	won, err := horde.SharedCompareAndSwap("leader", nil, []byte(fmt.Sprintf("vu-%d", horde.VuID())), 0)
	if err != nil {
		return err
	}
	if won {
		if _, err := horde.SharedCounterAdd("leaders", 1); err != nil {
			return err
		}
	}
	return nil
}

func order() error {
	if _, err := horde.Get("/api/users/me").Bearer(token).Send(); err != nil {
		return err
	}
	_, err := horde.SharedCounterAdd("orders", 1)
	return err
}

func init() {
	horde.Register(horde.Scenario{
		Name:        "lifecycle",
		Description: "Setup logs in once; VUs use its token and count orders; teardown logs out.",
		Setup:       setup,
		Teardown:    teardown,
		OnStart:     onStart,
		Tasks:       []horde.Task{{Name: "order", Weight: 1, Run: order}},
	})
}

func main() {}
