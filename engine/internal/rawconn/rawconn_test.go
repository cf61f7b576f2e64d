package rawconn

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"
)

// pair returns a wrapped client conn and the server side of a loopback TCP
// connection.
func pair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		s, err := ln.Accept()
		if err != nil {
			accepted <- nil
			return
		}
		accepted <- s
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server := <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	c := Wrap(raw)
	if runtime.GOOS == "linux" {
		if _, ok := c.(*conn); !ok {
			t.Fatalf("Wrap returned a %T on linux", c)
		}
	}
	t.Cleanup(func() { c.Close(); server.Close() })
	return c, server
}

func TestRoundTripAndEOF(t *testing.T) {
	c, s := pair(t)
	go func() {
		buf := make([]byte, 5)
		io.ReadFull(s, buf)
		s.Write(append([]byte("re: "), buf...))
		s.Close()
	}()
	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "re: hello" {
		t.Fatalf("read %q, %v", got, err)
	}
	if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("after the peer closed: %d, %v; want 0, io.EOF", n, err)
	}
}

// A write far larger than the socket buffers waits for the reader and
// arrives whole, while a concurrent read on the same conn goes on.
func TestLargeWriteWithConcurrentRead(t *testing.T) {
	c, s := pair(t)
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	var wg sync.WaitGroup
	var echoed []byte
	var readErr error
	wg.Add(2)
	go func() { // the server reads slowly, then answers
		defer wg.Done()
		got := make([]byte, 0, len(payload))
		buf := make([]byte, 64<<10)
		for len(got) < len(payload) {
			n, err := s.Read(buf)
			if err != nil {
				readErr = err
				return
			}
			got = append(got, buf[:n]...)
			time.Sleep(50 * time.Microsecond)
		}
		if !bytes.Equal(got, payload) {
			readErr = errors.New("the server received other bytes")
		}
		s.Write([]byte("done"))
	}()
	go func() { // the client reads the answer while its write is blocked
		defer wg.Done()
		buf := make([]byte, 4)
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "done" {
			readErr = errors.Join(readErr, errors.New("client read "+string(buf)), err)
		}
		echoed = buf
	}()
	if n, err := c.Write(payload); err != nil || n != len(payload) {
		t.Fatalf("wrote %d, %v", n, err)
	}
	wg.Wait()
	if readErr != nil || string(echoed) != "done" {
		t.Fatal(readErr)
	}
}

func TestDeadlines(t *testing.T) {
	c, s := pair(t)
	// A deadline already passed fails at once, even with data waiting.
	s.Write([]byte("x"))
	time.Sleep(10 * time.Millisecond)
	c.SetReadDeadline(time.Now().Add(-time.Second))
	if _, err := c.Read(make([]byte, 1)); !isTimeout(err) {
		t.Fatalf("read past its deadline: %v", err)
	}
	// Cleared, the waiting byte is read.
	c.SetReadDeadline(time.Time{})
	if n, err := c.Read(make([]byte, 1)); n != 1 || err != nil {
		t.Fatalf("read after clearing the deadline: %d, %v", n, err)
	}
	// A deadline ahead ends a read that waits.
	c.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	start := time.Now()
	if _, err := c.Read(make([]byte, 1)); !isTimeout(err) {
		t.Fatalf("read with a 30 ms deadline: %v", err)
	}
	if took := time.Since(start); took < 25*time.Millisecond || took > 2*time.Second {
		t.Errorf("a 30 ms deadline ended the read after %v", took)
	}
	// A deadline set while a read waits (how pgx unblocks a read after a
	// cancel) ends it.
	c.SetReadDeadline(time.Time{})
	done := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 1))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	c.SetDeadline(time.Now())
	select {
	case err := <-done:
		if !isTimeout(err) {
			t.Fatalf("read unblocked by SetDeadline: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("SetDeadline did not wake a waiting read")
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) && errors.As(err, &ne) && ne.Timeout()
}

// Close wakes a waiting read (net.ErrClosed) and later calls fail; the peer
// sees the connection end.
func TestCloseWakesAWaitingRead(t *testing.T) {
	c, s := pair(t)
	done := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 1))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("read after Close: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not wake a waiting read")
	}
	if _, err := c.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("write after Close: %v", err)
	}
	if err := c.Close(); err == nil {
		t.Error("a second Close succeeded")
	}
	s.SetReadDeadline(time.Now().Add(2 * time.Second))
	if n, err := s.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("the peer read %d, %v after Close; want EOF", n, err)
	}
}

// A peer that reset the connection: a write fails with an error, the process
// gets no SIGPIPE.
func TestWriteToAGonePeer(t *testing.T) {
	c, s := pair(t)
	s.(*net.TCPConn).SetLinger(0)
	s.Close()
	time.Sleep(20 * time.Millisecond)
	var err error
	for range 100 {
		if _, err = c.Write(make([]byte, 64<<10)); err != nil {
			break
		}
	}
	if err == nil {
		t.Fatal("writes to a reset connection kept succeeding")
	}
}
