package endpoint

import (
	"net/url"
	"testing"
)

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "LocalHost": true,
		"127.0.0.1": true, "127.8.9.10": true, "::1": true, "fe80::1%lo0": false,
		"api-m.paypal.com": false, "10.0.0.1": false, "": false, "localhost.example.com": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %t, want %t", host, got, want)
		}
	}
}

func TestInsecureRefusesPlainHTTPBeyondThisMachine(t *testing.T) {
	for raw, want := range map[string]bool{
		"https://api-m.paypal.com": false, "http://api-m.paypal.com": true,
		"http://127.0.0.1:8080/nvp": false, "http://LOCALHOST:9/": false, "http://[::1]:9/": false,
		"http://192.168.1.5/": true,
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := Insecure(u); got != want {
			t.Errorf("Insecure(%s) = %t, want %t", raw, got, want)
		}
	}
}
