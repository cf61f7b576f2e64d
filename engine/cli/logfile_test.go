package cli

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The log file is buffered: lines reach the file at close, when the buffer
// fills, and at most logFlushDelay after they were written.
func TestLogFileBuffersAndFlushes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "strata.log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	l := &logFile{f: f}
	read := func() string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	l.Write([]byte("first\n"))
	if got := read(); got != "" {
		t.Fatalf("a line reached the file at once (%q): it should wait for the flush", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for read() != "first\n" {
		if time.Now().After(deadline) {
			t.Fatalf("the timer never flushed the line: file holds %q", read())
		}
		time.Sleep(10 * time.Millisecond)
	}
	// A full buffer is written without waiting.
	big := strings.Repeat("x", 1000) + "\n"
	for i := 0; i < logBufferMax/len(big)+1; i++ {
		l.Write([]byte(big))
	}
	if n := len(read()); n < logBufferMax/2 {
		t.Fatalf("after more than a buffer of lines the file holds %d bytes", n)
	}
	// Writers from several goroutines (two printers share the file in the
	// scheduler) never interleave within a line.
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				l.Write([]byte(strings.Repeat(string(rune('a'+g)), 50) + "\n"))
			}
		}(g)
	}
	wg.Wait()
	l.Write([]byte("last\n"))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(read(), "\n"), "\n")
	if lines[len(lines)-1] != "last" {
		t.Fatalf("close did not flush the last line: file ends %q", lines[len(lines)-1])
	}
	count := 0
	for _, ln := range lines {
		if len(ln) == 50 {
			if strings.Trim(ln, ln[:1]) != "" {
				t.Fatalf("interleaved line %q", ln)
			}
			count++
		}
	}
	if count != 2000 {
		t.Fatalf("%d of 2000 concurrent lines in the file", count)
	}
}
