// Locust's AuthenticatedUser in Go, for horde: logs in once, then reads its profile and its
// orders with the token. Given a data set `users` (--data users=scripts/authenticated-user/users.csv),
// each VU logs in as its own account from it; without one, every VU logs in as the seed's
// testuser. Built by scripts/build into target/scenarios/authenticated-user-go.wasm.
package main

import (
	"encoding/json"
	"errors"

	"horde.local/horde"
)

// One instance is one user: this is that user's token.
var authToken string

func onStart() error {
	credentials := map[string]string{"username": "testuser", "password": "password123"}
	// Each row goes to one VU only: no two VUs share an account.
	account, err := horde.UniqueRow("users")
	switch {
	case err == nil:
		credentials["username"], _ = account.Get("username")
		credentials["password"], _ = account.Get("password")
	case !errors.Is(err, horde.ErrUnknownSet):
		return err // exhausted: every account is taken
	}
	body, err := json.Marshal(credentials)
	if err != nil {
		return err
	}
	login, err := horde.Post("/api/auth/login").JSON(string(body)).WantBody().Send()
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
