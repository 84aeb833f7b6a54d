package e2e

import (
	"bufio"
	"context"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/vigilhq/vigil/internal/app"
	"github.com/vigilhq/vigil/internal/clock"
)

// smtpServer is a local SMTP relay that keeps what it is sent.
type smtpServer struct {
	ln   net.Listener
	mu   sync.Mutex
	mail []*mail.Message
	got  chan struct{}
}

func newSMTPServer(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln, got: make(chan struct{}, 100)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.session(t, c)
		}
	}()
	return s
}

// session speaks enough SMTP for one client: greeting, EHLO/HELO, MAIL,
// RCPT, DATA and QUIT.
func (s *smtpServer) session(t *testing.T, c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { _, _ = io.WriteString(c, line+"\r\n") }
	say("220 test SMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 test")
		case strings.HasPrefix(cmd, "MAIL"), strings.HasPrefix(cmd, "RCPT"), strings.HasPrefix(cmd, "RSET"):
			say("250 OK")
		case cmd == "DATA":
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			for _, line := range strings.Split(b.String(), "\r\n") {
				if len(line) > 998 {
					t.Errorf("an email has a line of %d octets; SMTP allows 998 (RFC 5321 4.5.3.1.6), so a relay may refuse it", len(line))
				}
			}
			m, err := mail.ReadMessage(strings.NewReader(b.String()))
			if err != nil {
				t.Errorf("an email that does not parse: %v\n%s", err, b.String())
				say("554 bad")
				continue
			}
			if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
				m.Body = quotedprintable.NewReader(m.Body)
			}
			s.mu.Lock()
			s.mail = append(s.mail, m)
			s.mu.Unlock()
			s.got <- struct{}{}
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

// take returns the emails received so far, and forgets them.
func (s *smtpServer) take() []*mail.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.mail
	s.mail = nil
	return m
}

// TestSNSEmail: with an SMTP relay configured, an email subscription gets
// AWS's confirmation email, whose link confirms it, then the notifications
// published, with the topic's subject and the unsubscribe link.
func TestSNSEmail(t *testing.T) {
	relay := newSMTPServer(t)
	v := startWith(t, app.Config{Dev: true, Clock: clock.NewVirtual(clock.NewFake(time.Now())), SMTPRelay: relay.ln.Addr().String()})
	ctx := context.Background()
	c := sns.NewFromConfig(v.devConfig(devAccount))
	topic, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("mail")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("ops@example.com")}); err != nil {
		t.Fatal(err)
	}
	v.settle(t)
	mails := relay.take()
	if len(mails) != 1 || mails[0].Header.Get("Subject") != "AWS Notification - Subscription Confirmation" || mails[0].Header.Get("To") != "ops@example.com" {
		t.Fatalf("confirmation emails: %v", mails)
	}
	body, _ := io.ReadAll(mails[0].Body)
	link := regexp.MustCompile(`Confirm subscription: (\S+)`).FindSubmatch(body)
	if link == nil {
		t.Fatalf("no confirmation link in\n%s", body)
	}
	resp, err := http.Get(string(link[1]))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET the confirmation link: %v %v", resp, err)
	}
	resp.Body.Close()

	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Subject: aws.String("Disk almost full"), Message: aws.String("/var is at 91%")}); err != nil {
		t.Fatal(err)
	}
	v.settle(t)
	mails = relay.take()
	if len(mails) != 1 || mails[0].Header.Get("Subject") != "Disk almost full" {
		t.Fatalf("notification emails: %v", mails)
	}
	body, _ = io.ReadAll(mails[0].Body)
	if !strings.HasPrefix(string(body), "/var is at 91%\r\n") || !strings.Contains(string(body), "Action=Unsubscribe") {
		t.Errorf("notification body:\n%s", body)
	}

	// Without a relay, email subscriptions are refused, saying why.
	w := start(t, true)
	cw := sns.NewFromConfig(w.devConfig(devAccount))
	tw, err := cw.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("mail")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cw.Subscribe(ctx, &sns.SubscribeInput{TopicArn: tw.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("ops@example.com")})
	apiError(t, err, "InvalidParameter", 400, "none is configured (--smtp-relay)")
}
