package dispatch

import (
	"context"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"
)

// SMTPTarget returns the target of mailto: addresses: it sends a
// message's payload as the text of an email with its Subject, from from,
// through the SMTP relay at relay (host:port), and a relay that refuses
// it is an error the outbox retries. now dates the email. Register it for
// the service "mailto".
func SMTPTarget(relay, from string, now func() time.Time) Target {
	return NewTarget("", func(ctx context.Context, to Address, m *Message) error {
		if _, err := mail.ParseAddress(to.Resource); err != nil {
			return &Error{Code: "InvalidTarget", Err: fmt.Errorf("%s is not an email address: %w", to.Resource, err)}
		}
		var b strings.Builder
		fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@vigil>\r\n",
			from, to.Resource, mime.QEncoding.Encode("utf-8", m.Subject), now().UTC().Format(time.RFC1123Z), m.ID)
		// Quoted-printable keeps every line within SMTP's 998 octets
		// (RFC 5321 4.5.3.1.6): a notification's JSON is one long line.
		b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
		qp := quotedprintable.NewWriter(&b)
		if _, err := qp.Write([]byte(strings.ReplaceAll(string(m.Payload), "\r\n", "\n"))); err != nil {
			return err
		}
		if err := qp.Close(); err != nil {
			return err
		}
		sender, err := mail.ParseAddress(from)
		if err != nil {
			return &Error{Code: "InvalidTarget", Err: fmt.Errorf("the sender %q is not an email address: %w", from, err)}
		}
		d := net.Dialer{}
		conn, err := d.DialContext(ctx, "tcp", relay)
		if err != nil {
			return fmt.Errorf("cannot reach the SMTP relay %s: %w", relay, err)
		}
		if deadline, ok := ctx.Deadline(); ok {
			_ = conn.SetDeadline(deadline)
		}
		host, _, _ := net.SplitHostPort(relay)
		c, err := smtp.NewClient(conn, host)
		if err != nil {
			conn.Close()
			return fmt.Errorf("SMTP relay %s: %w", relay, err)
		}
		defer c.Close()
		if err := send(c, sender.Address, to.Resource, b.String()); err != nil {
			return fmt.Errorf("SMTP relay %s: %w", relay, err)
		}
		return c.Quit()
	})
}

// send sends one email on an SMTP connection.
func send(c *smtp.Client, from, to, msg string) error {
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(msg)); err != nil {
		return err
	}
	return w.Close()
}
