package iam

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/iam/qr"
	"github.com/vigilhq/vigil/internal/store"
)

// Virtual MFA devices generate RFC 6238 time-based one-time passwords:
// HMAC-SHA1 of the 30-second step since the epoch, six digits. A device
// is enabled for a user by two consecutive codes it shows; Vigil accepts
// them within driftSteps steps before the current one (a device whose
// clock is behind) and one after.
const (
	totpStep   = 30 * time.Second
	driftSteps = 10
	// maxMFAPerUser is how many MFA devices a user may have.
	maxMFAPerUser = 8
	// seedBytes is the size of a device's secret: 64 base32 characters,
	// as AWS's Base32StringSeed.
	seedBytes = 40
)

// totp returns the six-digit code of a secret at a step (RFC 4226's
// HOTP of the step count).
func totp(secret []byte, step uint64) string {
	mac := hmac.New(sha1.New, secret)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], step)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1_000_000)
}

// consecutive says whether two codes are those of consecutive steps of
// a secret around a time.
func consecutive(secret []byte, at time.Time, code1, code2 string) bool {
	first, last := steps(at)
	for step := first; step <= last; step++ {
		if hmac.Equal([]byte(totp(secret, step)), []byte(code1)) && hmac.Equal([]byte(totp(secret, step+1)), []byte(code2)) {
			return true
		}
	}
	return false
}

// steps returns the steps whose codes are accepted at a time: those of
// the clock's drift around it.
func steps(at time.Time) (first, last uint64) {
	now := uint64(at.Unix()) / uint64(totpStep/time.Second)
	return now - driftSteps, now + 1
}

// VirtualMFADevice is a virtual MFA device, with the user it is enabled
// for (nil when none).
type VirtualMFADevice struct {
	Entity
	User    *store.IAMEntity
	Enabled time.Time
	// Seed (base32) and QRCodePNG are shown when the device is created
	// only.
	Seed      string
	QRCodePNG []byte
}

// mfaDevice reads the virtual MFA device of a serial number.
func mfaDevice(r store.IAMReader, serial string) (store.IAMEntity, error) {
	name := serial[strings.LastIndexByte(serial, '/')+1:]
	e, err := r.Entity(store.IAMMFADevice, name)
	if errors.Is(err, store.ErrNotFound) || (err == nil && e.ARN != serial) {
		return e, errorf(NoSuchEntity, "The MFA device with serial number %s cannot be found.", serial)
	}
	return e, err
}

// CreateVirtualMFADevice creates a virtual MFA device: its secret, as
// base32 and as the QR code of an otpauth:// URI that authenticator apps
// scan, is shown this once.
func (s *Service) CreateVirtualMFADevice(ctx context.Context, account string, in NewEntity) (*VirtualMFADevice, error) {
	secret := make([]byte, seedBytes)
	if _, err := rand.Read(secret); err != nil {
		panic("BUG: iam: crypto/rand failed: " + err.Error())
	}
	seed := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret)
	uri := "otpauth://totp/Vigil:" + url.PathEscape(in.Name+"@"+account) + "?secret=" + seed + "&issuer=Vigil"
	code, err := qr.Encode([]byte(uri))
	if err != nil {
		return nil, fmt.Errorf("cannot draw the QR code of MFA device %s: %w", in.Name, err)
	}
	serial := arn(account, "mfa", pathOr(in.Path), in.Name)
	d := store.IAMEntity{Kind: store.IAMMFADevice, ID: serial, ARN: serial, Secret: s.opt.Sealer.Seal(secret)}
	e, err := s.create(ctx, account, d, in)
	if err != nil {
		return nil, err
	}
	return &VirtualMFADevice{Entity: *e, Seed: seed, QRCodePNG: code.PNG(4)}, nil
}

// deviceInUse reads the virtual MFA device of a serial number, and
// whether it is enabled for a user.
func deviceInUse(r store.IAMReader, serial string) (store.IAMEntity, bool, error) {
	d, err := mfaDevice(r, serial)
	if err != nil {
		return d, false, err
	}
	n, err := count(r.LinksTo(store.IAMUserMFA, d.ID))
	return d, n > 0, err
}

// checkCodes checks two consecutive codes of a device.
func (s *Service) checkCodes(d store.IAMEntity, code1, code2 string) error {
	secret, err := s.opt.Sealer.Open(d.Secret)
	if err != nil {
		return fmt.Errorf("cannot unseal the secret of MFA device %s: %w", d.ARN, err)
	}
	if !consecutive(secret, s.opt.Clock.Now(), code1, code2) {
		return errorf(InvalidAuthenticationCode, "Authentication code for device is not valid.")
	}
	return nil
}

// CheckMFACode checks a code of the MFA device with a serial number that
// is enabled for the principal (an IAM user), as STS does for
// GetSessionToken and AssumeRole with SerialNumber and TokenCode.
func (s *Service) CheckMFACode(ctx context.Context, p Caller, serial, code string) error {
	return s.view(ctx, p.Account, func(r store.IAMReader) error {
		d, err := mfaDevice(r, serial)
		if err != nil {
			return err
		}
		users, err := r.LinksTo(store.IAMUserMFA, d.ID)
		if err != nil {
			return err
		}
		if len(users) != 1 || users[0].From != p.UserID {
			return errorf(InvalidAuthenticationCode, "MFA device %s is not enabled for %s.", serial, p.ARN)
		}
		secret, err := s.opt.Sealer.Open(d.Secret)
		if err != nil {
			return fmt.Errorf("cannot unseal the secret of MFA device %s: %w", d.ARN, err)
		}
		return s.codes.check(d.ID, secret, code, s.opt.Clock.Now())
	})
}

// codeGuard checks one-time codes as a sign-in does: within a step of
// the clock either way, each step's code once, and a device that gets
// maxCodeFailures wrong codes in a row refused for codeLockout, so that
// a stolen long-term key cannot guess its user's codes (a million
// values) nor replay one seen.
type codeGuard struct {
	mu      sync.Mutex
	devices map[string]*codeState
}

type codeState struct {
	used     uint64 // the last step whose code was accepted
	failures int
	locked   time.Time // refused until then
}

const (
	maxCodeFailures = 5
	codeLockout     = 15 * time.Minute
)

func (g *codeGuard) check(device string, secret []byte, code string, now time.Time) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.devices == nil {
		g.devices = map[string]*codeState{}
	}
	st := g.devices[device]
	if st == nil {
		st = &codeState{}
		g.devices[device] = st
	}
	if now.Before(st.locked) {
		return errorf(InvalidAuthenticationCode, "Too many invalid authentication codes for the device: try again later.")
	}
	step := uint64(now.Unix()) / uint64(totpStep/time.Second)
	for s := step - 1; s <= step+1; s++ {
		if s > st.used && hmac.Equal([]byte(totp(secret, s)), []byte(code)) {
			st.used, st.failures = s, 0
			return nil
		}
	}
	if st.failures++; st.failures >= maxCodeFailures {
		st.failures, st.locked = 0, now.Add(codeLockout)
	}
	return errorf(InvalidAuthenticationCode, "Authentication code for device is not valid.")
}

// EnableMFADevice enables a virtual MFA device for a user, given two
// consecutive codes it shows.
func (s *Service) EnableMFADevice(ctx context.Context, account, user, serial, code1, code2 string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		u, err := entity(w, store.IAMUser, user)
		if err != nil {
			return err
		}
		d, used, err := deviceInUse(w, serial)
		if err != nil {
			return err
		}
		if used {
			return errorf(EntityAlreadyExists, "MFA Device is already in use.")
		}
		if n, err := count(w.Links(store.IAMUserMFA, u.ID)); err != nil {
			return err
		} else if n >= maxMFAPerUser {
			return quota("MFADevicesPerUser", maxMFAPerUser)
		}
		if err := s.checkCodes(d, code1, code2); err != nil {
			return err
		}
		return w.Link(store.IAMLink{Kind: store.IAMUserMFA, From: u.ID, To: d.ID, Created: s.now()})
	})
}

// userDevice reads a user and an MFA device enabled for it.
func userDevice(r store.IAMReader, c Caller, user, serial string) (store.IAMEntity, store.IAMEntity, error) {
	u, err := callerOr(r, c, user)
	if err != nil {
		return u, store.IAMEntity{}, err
	}
	d, err := mfaDevice(r, serial)
	if err != nil {
		return u, d, err
	}
	links, err := r.Links(store.IAMUserMFA, u.ID)
	for _, l := range links {
		if l.To == d.ID {
			return u, d, err
		}
	}
	if err == nil {
		err = errorf(NoSuchEntity, "MFA Device with serial number %s is not enabled for user %s.", serial, user)
	}
	return u, d, err
}

// DeactivateMFADevice disables an MFA device of a user, or (user "") of
// the caller.
func (s *Service) DeactivateMFADevice(ctx context.Context, c Caller, user, serial string) error {
	return s.update(ctx, c.Account, func(w store.IAMWriter) error {
		u, d, err := userDevice(w, c, user, serial)
		if err != nil {
			return err
		}
		return w.Unlink(store.IAMUserMFA, u.ID, d.ID)
	})
}

// ResyncMFADevice checks two consecutive codes of a user's device: Vigil
// keeps no counter to move, so it only says whether they are right.
func (s *Service) ResyncMFADevice(ctx context.Context, c Caller, user, serial, code1, code2 string) error {
	return s.view(ctx, c.Account, func(r store.IAMReader) error {
		_, d, err := userDevice(r, c, user, serial)
		if err != nil {
			return err
		}
		return s.checkCodes(d, code1, code2)
	})
}

// MFADevice is an MFA device enabled for a user.
type MFADevice struct {
	UserName, Serial string
	Enabled          time.Time
}

// ListMFADevices lists the MFA devices of a user, or (user "") of the
// caller.
func (s *Service) ListMFADevices(ctx context.Context, c Caller, user string, p Page) (Paged[MFADevice], error) {
	var list []MFADevice
	err := s.view(ctx, c.Account, func(r store.IAMReader) error {
		u, err := callerOr(r, c, user)
		if err != nil {
			return err
		}
		links, err := r.Links(store.IAMUserMFA, u.ID)
		for _, l := range links {
			list = append(list, MFADevice{UserName: u.Name, Serial: l.To, Enabled: l.Created})
		}
		return err
	})
	if err != nil {
		return Paged[MFADevice]{}, err
	}
	return paginate(list, p, "mfa-devices", func(d MFADevice) string { return strings.ToLower(d.Serial[strings.LastIndexByte(d.Serial, '/')+1:]) })
}

// ListVirtualMFADevices lists the account's virtual MFA devices, by
// AssignmentStatus: "Assigned", "Unassigned", or "Any" ("").
func (s *Service) ListVirtualMFADevices(ctx context.Context, account, status string, p Page) (Paged[VirtualMFADevice], error) {
	var list []VirtualMFADevice
	err := s.view(ctx, account, func(r store.IAMReader) error {
		devices, err := r.Entities(store.IAMMFADevice, "/")
		if err != nil {
			return err
		}
		links, err := r.Links(store.IAMUserMFA, "")
		if err != nil {
			return err
		}
		enabled := make(map[string]store.IAMLink, len(links))
		for _, l := range links {
			enabled[l.To] = l
		}
		for _, d := range devices {
			v := VirtualMFADevice{Entity: Entity{IAMEntity: d}}
			if l, ok := enabled[d.ID]; ok {
				u, err := r.EntityByID(l.From)
				if err != nil {
					return err
				}
				v.User, v.Enabled = &u, l.Created
			}
			if status == "" || status == "Any" || (status == "Assigned") == (v.User != nil) {
				list = append(list, v)
			}
		}
		return nil
	})
	if err != nil {
		return Paged[VirtualMFADevice]{}, err
	}
	return paginate(list, p, "virtual-mfa-devices", func(d VirtualMFADevice) string { return byName(d.IAMEntity) })
}

// DeleteVirtualMFADevice deletes a virtual MFA device that is not
// enabled for a user.
func (s *Service) DeleteVirtualMFADevice(ctx context.Context, account, serial string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		d, used, err := deviceInUse(w, serial)
		if err != nil {
			return err
		}
		if used {
			return errorf(DeleteConflict, "MFA VirtualDevice in use. Must deactivate first.")
		}
		return w.DeleteEntity(d.ID)
	})
}
