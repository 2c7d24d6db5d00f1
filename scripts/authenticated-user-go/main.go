// Locust's AuthenticatedUser in Go, for horde: logs in once, then reads its profile and its
// orders with the token. Built by scripts/build into target/scenarios/authenticated-user-go.wasm.
package main

import (
	"encoding/json"

	"horde.local/horde"
)

// One instance is one user: this is that user's token.
var authToken string

func onStart() error {
	login, err := horde.Post("/api/auth/login").
		JSON(`{"username": "testuser", "password": "password123"}`).
		WantBody().
		Send()
	if err != nil {
		return err
	}
	if login.Status == 200 {
		var body struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.Unmarshal(login.Body, &body); err != nil {
			return err
		}
		authToken = body.AccessToken
		horde.Info("Login successful, token acquired.")
	} else {
		horde.Warn("Login failed: %d - %s", login.Status, login.Body)
	}
	return nil
}

func getUserProfile() error {
	if authToken == "" {
		horde.Info("Skipping task, no auth token available.")
		return nil
	}
	_, err := horde.Get("/api/users/me").Bearer(authToken).Send()
	return err
}

func getUserOrders() error {
	if authToken == "" {
		return nil
	}
	_, err := horde.Get("/api/orders").Bearer(authToken).Send()
	return err
}

func init() {
	horde.Register(horde.Scenario{
		Name:        "authenticated-user",
		Description: "Logs in once, then reads its profile and its orders with the token.",
		OnStart:     onStart,
		Wait:        horde.Between(1, 5),
		Tasks: []horde.Task{
			{Name: "get_user_profile", Weight: 1, Run: getUserProfile},
			{Name: "get_user_orders", Weight: 1, Run: getUserOrders},
		},
	})
}

func main() {}
