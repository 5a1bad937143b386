package main

import (
	"bytes"
	"regexp"
	"runtime"
	"testing"

	"go.uber.org/goleak"

	"github.com/goasyncio/asyncio/internal/testenv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testenv.LeakOptions()...) }

func TestDiscovery(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("skipped: the loopback broadcast address 127.255.255.255 is Linux's")
	}
	var out, errs bytes.Buffer
	if code := run([]string{"-devices", "5"}, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	re := regexp.MustCompile(`^(device-[1-5] answered from 127\.0\.0\.1:\d+\n){5}5 of 5 devices answered within 200ms\n$`)
	if !re.MatchString(out.String()) {
		t.Errorf("output:\n%s", out.String())
	}
}
