package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/internal/fakesnowflake"
	"github.com/strata-dev/strata/engine/internal/fakesnowflake/sfduck"
)

// binary builds cmd/strata into the test's temp dir (removed after it):
// what the driver writes to the process's own stderr can only be seen from
// outside the process.
func binary(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "strata")
	out, err := exec.Command("go", "build", "-o", path, "github.com/strata-dev/strata/cmd/strata").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return path
}

// TestSnowflakeDriverLogStaysOff runs the real binary against the fake
// Snowflake, with a model the warehouse rejects and then a failed login:
// strata reports each error once in its own words, and the Snowflake
// driver's own log lines (logrus: time=… level=… msg=…) never reach the
// terminal.
func TestSnowflakeDriverLogStaysOff(t *testing.T) {
	srv := fakesnowflake.New(t, fakesnowflake.WithEngine(sfduck.New(t, "ANALYTICS")))
	dir := snowflakeProject(t, srv, "")
	if err := os.WriteFile(filepath.Join(dir, "models", "broken.sql"), []byte("select * from analytics.public.no_such_table_zz\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	driverLog := regexp.MustCompile(`(?m)^time=|level=(error|warning|info|debug)|msg="`)
	bin := binary(t)
	run := func(dir string) (int, string, string) {
		cmd := exec.Command(bin, "run", "-s", "broken", "--project-dir", dir)
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "NO_COLOR=1", "SNOWFLAKE_DISABLE_PLATFORM_DETECTION=true")
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, o.String(), e.String()
	}

	code, out, errOut := run(dir)
	if code != 1 || !strings.Contains(out, "Error in model broken") || !strings.Contains(out, "NO_SUCH_TABLE_ZZ") {
		t.Fatalf("a model Snowflake rejects: exit %d\n%s\n%s", code, out, errOut)
	}
	if m := driverLog.FindString(errOut); m != "" {
		t.Errorf("the driver's log reached stderr (%q):\n%s", m, errOut)
	}

	bad := snowflakeProject(t, srv, "not-the-password")
	if err := os.WriteFile(filepath.Join(bad, "models", "broken.sql"), []byte("select 1 as x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run(bad)
	if code == 0 || !strings.Contains(errOut, "check `password`") {
		t.Fatalf("a bad password: exit %d\n%s\n%s", code, out, errOut)
	}
	if m := driverLog.FindString(errOut); m != "" {
		t.Errorf("the driver's log reached stderr (%q):\n%s", m, errOut)
	}
}
