package e2e_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

var browserShots = flag.String("browser.shots", "", "directory where TestBrowser also keeps the screenshots it takes on success, to look at the pages")

// needTool returns the path of an outside program the browser test needs.
// Under CI=true a missing one fails the test, elsewhere it skips it.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed; CI must have it (scripts/test.sh installs it)", name)
	}
	t.Skipf("%s is not installed (scripts/test.sh installs it): browser test skipped", name)
	return ""
}

// startBrowser starts headless Chromium with a fresh profile and returns
// the browser's context. It has no deadline: the first run on it binds
// the browser's life to it, so bounded runs use contexts derived from it.
func startBrowser(t *testing.T, exe string) context.Context {
	t.Helper()
	logs := newLogFile(t, filepath.Join(t.TempDir(), "chromium.log"))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		// Containers often have a 64 MB /dev/shm, which Chromium can fill.
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.CombinedOutput(logs),
	)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		if t.Failed() {
			t.Logf("chromium output (last lines):\n%s", logs.tail(20))
		}
	})
	if err := withinTime(30*time.Second, func() error { return chromedp.Do(ctx) }, cancel); err != nil {
		t.Fatalf("start %s: %v\n%s", exe, err, logs.tail(20))
	}
	return ctx
}

// withinTime runs f, which cannot take a deadline, and gives up after d,
// calling stop to end what f started.
func withinTime(d time.Duration, f func() error, stop func()) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		stop()
		return fmt.Errorf("no answer within %s", d)
	}
}

// Viewports the pages are looked at with: a laptop and a phone.
var (
	desktop = viewport{"desktop", 1280, 800}
	phone   = viewport{"phone", 390, 844}
)

type viewport struct {
	name string
	w, h int64
}

func (v viewport) emulate() chromedp.Action[chromedp.Void] {
	if v.w < 600 {
		return chromedp.EmulateViewport(v.w, v.h, chromedp.EmulateMobile)
	}
	return chromedp.EmulateViewport(v.w, v.h)
}

// tab is one browser tab in a browser context of its own (its own cookies:
// one person), whose every action is bounded by its scenario's deadline.
type tab struct {
	t        *testing.T
	name     string
	ctx      context.Context
	deadline time.Time
}

// openTab opens a tab for the person name. If the test fails, the tab's
// last page is saved as a screenshot and as HTML, and the path logged.
func openTab(t *testing.T, browserCtx context.Context, name string, deadline time.Time) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := withinTime(time.Until(deadline), func() error { return chromedp.Do(ctx, desktop.emulate()) }, cancel); err != nil {
		t.Fatalf("open a tab for the %s: %v", name, err)
	}
	tb := &tab{t: t, name: name, ctx: ctx, deadline: deadline}
	t.Cleanup(tb.keepOnFailure)
	return tb
}

var (
	failDirOnce sync.Once
	failDir     string
)

// keepOnFailure saves what the tab shows in a directory that outlives the
// test, so that a failure can be looked at.
func (tb *tab) keepOnFailure() {
	if !tb.t.Failed() {
		return
	}
	failDirOnce.Do(func() { failDir, _ = os.MkdirTemp("", "lre-browser-failures-") })
	if failDir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	base := filepath.Join(failDir, strings.NewReplacer("/", "_", " ", "_").Replace(tb.t.Name())+"-"+tb.name)
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		os.WriteFile(base+".png", shot, 0o644)
	}
	if html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`)); err == nil {
		os.WriteFile(base+".html", []byte(html), 0o644)
	}
	tb.t.Logf("the %s's page at failure (%s): %s.png and .html", tb.name, loc, base)
}

func (tb *tab) bounded() (context.Context, context.CancelFunc) {
	return context.WithDeadline(tb.ctx, tb.deadline)
}

// do runs steps within the deadline and fails the test on an error.
func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := tb.bounded()
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.t.Fatalf("%s: %s: %v", tb.name, what, err)
	}
}

// tabValue runs one action that returns a value, within the deadline.
func tabValue[T any](tb *tab, what string, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := tb.bounded()
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.t.Fatalf("%s: %s: %v", tb.name, what, err)
	}
	return v
}

// open loads url and checks that the page answered with status want.
func (tb *tab) open(url string, want int) {
	tb.t.Helper()
	if got := tb.visit(url); got != want {
		tb.t.Fatalf("%s: open %s: status %d, want %d", tb.name, url, got, want)
	}
}

// visit loads url and returns the status of its answer.
func (tb *tab) visit(url string) int {
	tb.t.Helper()
	res := tabValue(tb, "open "+url, chromedp.NavigateResponse(url))
	if res == nil {
		tb.t.Fatalf("%s: open %s: no response", tb.name, url)
	}
	return int(res.Status)
}

// submit clicks the button sel, which posts a form, and checks the status
// of the page it leads to (after redirects).
func (tb *tab) submit(sel string, want int) {
	tb.t.Helper()
	ctx, cancel := tb.bounded()
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("%s: click %s: %v", tb.name, sel, err)
	}
	tb.checkStatus("click "+sel, res, want)
}

func (tb *tab) checkStatus(what string, res *network.Response, want int) {
	tb.t.Helper()
	if res == nil {
		tb.t.Fatalf("%s: %s: no response", tb.name, what)
	}
	if int(res.Status) != want {
		tb.t.Fatalf("%s: %s: landed on %s with status %d, want %d", tb.name, what, res.URL, res.Status, want)
	}
}

func (tb *tab) location() string { return tabValue(tb, "read the location", chromedp.Location()) }

// text is the rendered text of the first element matching sel.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return strings.TrimSpace(tabValue(tb, "read "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// textContent is the exact text of sel, line breaks included.
func (tb *tab) textContent(sel string) string {
	tb.t.Helper()
	return tabValue(tb, "read "+sel, chromedp.TextContent(chromedp.CSS(sel)))
}

// count is how many elements match sel now, without waiting for one.
func (tb *tab) count(sel string) int {
	tb.t.Helper()
	return tabValue(tb, "count "+sel, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
}

func (tb *tab) attr(sel, name string) string {
	tb.t.Helper()
	return tabValue(tb, "read "+sel, chromedp.Attributes(chromedp.CSS(sel)))[name]
}

// html is the whole document, hidden parts included.
func (tb *tab) html() string {
	tb.t.Helper()
	return tabValue(tb, "read the page", chromedp.Evaluate[string](`document.documentElement.outerHTML`))
}

// mustNotShow fails when the page holds any of the secrets, anywhere in
// its markup.
func (tb *tab) mustNotShow(where string, secrets ...string) {
	tb.t.Helper()
	page := tb.html()
	for _, s := range secrets {
		if strings.Contains(page, s) {
			tb.t.Errorf("%s: %s shows %q", tb.name, where, s)
		}
	}
}

// fill types v into the field sel.
func (tb *tab) fill(sel, v string) {
	tb.t.Helper()
	tb.do("fill "+sel, chromedp.SendKeys(chromedp.CSS(sel), v))
}

// login signs in with the login form and expects the letters list.
func (tb *tab) login(base, email, password string) {
	tb.t.Helper()
	tb.open(base+"/login", http.StatusOK)
	tb.fill("#login-email", email)
	tb.fill("#login-password", password)
	tb.submit("#login-submit", http.StatusOK)
	if loc := tb.location(); loc != base+"/app/letters" {
		tb.t.Fatalf("%s: after login the browser is on %s, want the letters list", tb.name, loc)
	}
}

// download clicks the link sel, waits for the browser to save the file
// and returns its bytes: what a person gets from the link, Content-
// Disposition and cookies included.
func (tb *tab) download(sel string) []byte {
	tb.t.Helper()
	ctx, cancel := tb.bounded()
	defer cancel()
	dir := tb.t.TempDir()
	_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior:         browser.SetDownloadBehaviorBehaviorAllowAndName,
		BrowserContextID: chromedp.FromContext(tb.ctx).BrowserContextID,
		DownloadPath:     dir,
		EventsEnabled:    new(true),
	})
	if err != nil {
		tb.t.Fatalf("%s: allow downloads: %v", tb.name, err)
	}
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		tb.t.Fatalf("%s: click %s: %v", tb.name, sel, err)
	}
	for ev, err := range progress {
		if err != nil {
			tb.t.Fatalf("%s: download from %s: %v", tb.name, sel, err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			b, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				tb.t.Fatalf("%s: downloaded file: %v", tb.name, err)
			}
			return b
		case browser.DownloadProgressStateCanceled:
			tb.t.Fatalf("%s: the download from %s was cancelled", tb.name, sel)
		}
	}
	tb.t.Fatalf("%s: no download from %s", tb.name, sel)
	return nil
}

// fetch GETs the link sel with the tab's cookies, as the browser would,
// and returns the body of a 200 answer.
func (tb *tab) fetch(sel string) []byte {
	tb.t.Helper()
	href := tabValue(tb, "read "+sel, chromedp.JavascriptAttribute[string](chromedp.CSS(sel), "href"))
	cookies := tabValue(tb, "read the cookies", func(ctx context.Context, t *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{href}})
		return res.Cookies, err
	})
	ctx, cancel := tb.bounded()
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, href, nil)
	if err != nil {
		tb.t.Fatal(err)
	}
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.t.Fatalf("%s: GET %s: %v", tb.name, href, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		tb.t.Fatalf("%s: GET %s: %d %v\n%.300s", tb.name, href, res.StatusCode, err, b)
	}
	return b
}

// shoot takes a full-page screenshot of the current page at each viewport,
// writes it to dir and checks it is a PNG as wide as the viewport.
func (tb *tab) shoot(dir, name string, views ...viewport) {
	tb.t.Helper()
	for _, v := range views {
		tb.do("set the viewport", v.emulate())
		shot := tabValue(tb, "screenshot", chromedp.FullScreenshot(100))
		path := filepath.Join(dir, name+"-"+v.name+".png")
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			tb.t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(shot))
		if err != nil || len(shot) == 0 {
			tb.t.Errorf("%s: screenshot %s is not a PNG (%d bytes): %v", tb.name, path, len(shot), err)
		} else if w := int64(cfg.Width); w > v.w || w < v.w-20 || int64(cfg.Height) < v.h {
			// The page is as wide as the viewport less a scroll bar, if any.
			tb.t.Errorf("%s: screenshot %s is %dx%d, want %dx%d or taller", tb.name, path, cfg.Width, cfg.Height, v.w, v.h)
		}
	}
	tb.do("set the viewport", desktop.emulate())
}

// shotDir is where success screenshots go: -browser.shots, or a directory
// removed with the test.
func shotDir(t *testing.T) string {
	if *browserShots == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(*browserShots, 0o755); err != nil {
		t.Fatal(err)
	}
	return *browserShots
}

// waitMail waits until the sink holds the message with Message-ID id and
// returns its decoded text/plain part.
func waitMail(t *testing.T, deadline time.Time, sk *sink, id string) string {
	t.Helper()
	for {
		for _, raw := range sk.messages() {
			m, err := mail.ReadMessage(bytes.NewReader(raw))
			if err != nil || m.Header.Get("Message-Id") != id {
				continue
			}
			text, err := plainText(m)
			if err != nil {
				t.Fatalf("mail %s: %v\n%s", id, err, raw)
			}
			return text
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail %s reached the SMTP server (%d messages there)", id, len(sk.messages()))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// plainText is the text/plain part of a multipart message; the multipart
// reader undoes its quoted-printable encoding.
func plainText(m *mail.Message) (string, error) {
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		return "", fmt.Errorf("content type %q: want multipart (%v)", m.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err != nil {
			return "", fmt.Errorf("no text/plain part: %w", err)
		}
		if pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); pt == "text/plain" {
			b, err := io.ReadAll(p)
			return string(b), err
		}
	}
}

// recipientLink finds the letter's link /r/<token> under base in a mail.
func recipientLink(t *testing.T, text, base string) string {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(base) + `/r/[A-Za-z0-9_-]+`).FindString(text)
	if m == "" {
		t.Fatalf("no %s/r/<token> link in the notification:\n%s", base, text)
	}
	return m
}

var otpLine = regexp.MustCompile(`(?:est|is)[\s\p{Zs}]*:[\s\p{Zs}]*(\d{6})\b`)

// otpCode finds the six-digit code in an identification mail.
func otpCode(t *testing.T, text string) string {
	t.Helper()
	m := otpLine.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no 6-digit code in the identification mail:\n%s", text)
	}
	return m[1]
}

// otpID is the Message-ID of the n-th identification code of a letter.
func otpID(noticeID string, n int) string {
	return fmt.Sprintf("<otp%d-%s@localhost>", n, strings.ToLower(noticeID))
}

// pdfText extracts a PDF's text with pdftotext, white space collapsed.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "certificate.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "pdftotext", "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// addAccount creates a user with a web password through the binary, as an
// operator would (the server must be stopped).
func addAccount(t *testing.T, dir string, a account, org, role string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, lreBinary(t), "users", "add", "--data", dir, "--email", a.email, "--name", a.name,
		"--org", org, "--role", role, "--password-stdin")
	cmd.Stdin = strings.NewReader(a.password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("lre users add %s --password-stdin: %v\n%s", a.email, err, out)
	}
}

type account struct{ email, name, password string }
