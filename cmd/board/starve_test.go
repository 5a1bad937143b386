package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

func TestListHasTheStarveLab(t *testing.T) {
	var stdout bytes.Buffer
	if code := run(context.Background(), []string{"-list"}, &stdout, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(stdout.String(), "starve ") || !strings.Contains(stdout.String(), "task lanes") {
		t.Errorf("-list lacks the starve lab:\n%s", stdout.String())
	}
}
