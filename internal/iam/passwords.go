package iam

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"unicode"

	"github.com/vigilhq/vigil/internal/store"
)

// Passwords are kept as PBKDF2-HMAC-SHA256 hashes, 600,000 iterations
// and a 16-byte random salt: the standard library's slow KDF (FIPS
// 140-approved) at the work factor OWASP's Password Storage Cheat Sheet
// sets for it. Argon2id (memory-hard) would resist GPUs better, but it
// lives in golang.org/x/crypto, which Vigil does not depend on; the
// encoding names the scheme and its cost, so that a later one can
// replace it while old hashes still verify.
const (
	kdfScheme     = "pbkdf2-sha256"
	kdfIterations = 600_000
	kdfKeyLen     = 32
)

// hashPassword returns a password's encoded hash:
// pbkdf2-sha256$ITERATIONS$SALT$KEY (base64 without padding).
func hashPassword(password string) string {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		panic("BUG: iam: crypto/rand failed: " + err.Error())
	}
	return encodeHash(kdfIterations, salt, derive(password, salt, kdfIterations))
}

func derive(password string, salt []byte, iterations int) []byte {
	key, err := pbkdf2.Key(sha256.New, password, salt, iterations, kdfKeyLen)
	if err != nil {
		panic("BUG: iam: pbkdf2: " + err.Error())
	}
	return key
}

func encodeHash(iterations int, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return kdfScheme + "$" + strconv.Itoa(iterations) + "$" + b64.EncodeToString(salt) + "$" + b64.EncodeToString(key)
}

// checkPassword says whether a password matches an encoded hash.
func checkPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != kdfScheme {
		return false
	}
	iterations, err := strconv.Atoi(parts[1])
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[2])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[3])
	if err != nil || err1 != nil || err2 != nil || iterations <= 0 {
		return false
	}
	return subtle.ConstantTimeCompare(derive(password, salt, iterations), key) == 1
}

// passwordSymbols are the symbols password policies count.
const passwordSymbols = "!@#$%^&*()_+-=[]{}|'"

// checkPasswordPolicy checks a password against the account's policy,
// or without one against AWS's default policy (8 characters at least,
// of three of the four kinds).
func checkPasswordPolicy(p *store.IAMPasswordPolicy, password string) error {
	var upper, lower, digit, symbol bool
	for _, r := range password {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case strings.ContainsRune(passwordSymbols, r):
			symbol = true
		}
	}
	length := len([]rune(password))
	var ok bool
	if p == nil {
		kinds := 0
		for _, b := range []bool{upper, lower, digit, symbol} {
			if b {
				kinds++
			}
		}
		ok = length >= 8 && kinds >= 3
	} else {
		ok = length >= p.MinimumLength && (upper || !p.RequireUppercase) && (lower || !p.RequireLowercase) &&
			(digit || !p.RequireNumbers) && (symbol || !p.RequireSymbols)
	}
	if !ok {
		return errorf(PasswordPolicyViolation, "Password does not conform to the account password policy.")
	}
	return nil
}

// newPasswordHash checks a new password against the account's policy
// and hashes it (slowly: outside any transaction).
func (s *Service) newPasswordHash(ctx context.Context, account, password string) (string, error) {
	var policy *store.IAMPasswordPolicy
	err := s.view(ctx, account, func(r store.IAMReader) error {
		a, err := r.Account()
		policy = a.PasswordPolicy
		return err
	})
	if err != nil {
		return "", err
	}
	if err := checkPasswordPolicy(policy, password); err != nil {
		return "", err
	}
	return hashPassword(password), nil
}

// LoginProfile is a user's login profile as IAM shows it.
type LoginProfile struct {
	store.IAMLoginProfile
	UserName string
}

// loginProfile reads a user's login profile: NoSuchEntity when there is
// none.
func loginProfile(r store.IAMReader, u store.IAMEntity) (store.IAMLoginProfile, error) {
	p, err := r.LoginProfile(u.ID)
	if errors.Is(err, store.ErrNotFound) {
		return p, errorf(NoSuchEntity, "Login Profile for User %s cannot be found.", u.Name)
	}
	return p, err
}

// CreateLoginProfile gives a console password to a user, or
// (user "") the caller.
func (s *Service) CreateLoginProfile(ctx context.Context, c Caller, user, password string, resetRequired bool) (*LoginProfile, error) {
	hash, err := s.newPasswordHash(ctx, c.Account, password)
	if err != nil {
		return nil, err
	}
	now := s.now()
	p := store.IAMLoginProfile{Hash: hash, ResetRequired: resetRequired, Created: now, Changed: now}
	var name string
	err = s.update(ctx, c.Account, func(w store.IAMWriter) error {
		u, err := namedUser(w, c, user)
		if err != nil {
			return err
		}
		if _, err := w.LoginProfile(u.ID); err == nil {
			return errorf(EntityAlreadyExists, "Login Profile for user %s already exists.", u.Name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		p.User, name = u.ID, u.Name
		return w.PutLoginProfile(p)
	})
	if err != nil {
		return nil, err
	}
	return &LoginProfile{IAMLoginProfile: p, UserName: name}, nil
}

// namedUser returns the user of a name, or (user "") the caller, who
// must be an IAM user.
func namedUser(r store.IAMReader, c Caller, user string) (store.IAMEntity, error) {
	u, err := callerOr(r, c, user)
	if err == nil && u.Name == "" {
		return u, errorf(ValidationError, "Must specify userName when calling with non-User credentials")
	}
	return u, err
}

// GetLoginProfile returns the login profile of a user, or (user "") of
// the caller.
func (s *Service) GetLoginProfile(ctx context.Context, c Caller, user string) (*LoginProfile, error) {
	var out *LoginProfile
	err := s.view(ctx, c.Account, func(r store.IAMReader) error {
		u, err := namedUser(r, c, user)
		if err != nil {
			return err
		}
		p, err := loginProfile(r, u)
		out = &LoginProfile{IAMLoginProfile: p, UserName: u.Name}
		return err
	})
	return out, err
}

// UpdateLoginProfile changes a user's password (password not nil)
// and whether it must be reset (resetRequired not nil).
func (s *Service) UpdateLoginProfile(ctx context.Context, account, user string, password *string, resetRequired *bool) error {
	var hash string
	if password != nil {
		var err error
		if hash, err = s.newPasswordHash(ctx, account, *password); err != nil {
			return err
		}
	}
	return s.update(ctx, account, func(w store.IAMWriter) error {
		u, err := entity(w, store.IAMUser, user)
		if err != nil {
			return err
		}
		p, err := loginProfile(w, u)
		if err != nil {
			return err
		}
		if hash != "" {
			p.Hash, p.Changed = hash, s.now()
		}
		if resetRequired != nil {
			p.ResetRequired = *resetRequired
		}
		return w.PutLoginProfile(p)
	})
}

// DeleteLoginProfile removes the console password of a user, or (user
// "") of the caller.
func (s *Service) DeleteLoginProfile(ctx context.Context, c Caller, user string) error {
	return s.update(ctx, c.Account, func(w store.IAMWriter) error {
		u, err := namedUser(w, c, user)
		if err != nil {
			return err
		}
		if _, err := loginProfile(w, u); err != nil {
			return err
		}
		return w.DeleteLoginProfile(u.ID)
	})
}

// ChangePassword changes the calling IAM user's own password, given the
// current one.
func (s *Service) ChangePassword(ctx context.Context, c Caller, oldPassword, newPassword string) error {
	if isRoot(c) {
		return errorf(InvalidUserType, "Only IAM users can change their own password: the root changes its password on the console.")
	}
	var current store.IAMLoginProfile
	err := s.view(ctx, c.Account, func(r store.IAMReader) error {
		u, err := callerOr(r, c, "")
		if err != nil {
			return err
		}
		current, err = loginProfile(r, u)
		return err
	})
	if err != nil {
		return err
	}
	if !checkPassword(current.Hash, oldPassword) {
		return errorf(InvalidInput, "The old password is incorrect.")
	}
	hash, err := s.newPasswordHash(ctx, c.Account, newPassword)
	if err != nil {
		return err
	}
	return s.update(ctx, c.Account, func(w store.IAMWriter) error {
		p, err := w.LoginProfile(current.User)
		if err != nil || p.Hash != current.Hash {
			return errorf(InvalidInput, "The password changed meanwhile; try again.")
		}
		p.Hash, p.Changed, p.ResetRequired = hash, s.now(), false
		return w.PutLoginProfile(p)
	})
}

// PasswordPolicy returns the account's password policy: NoSuchEntity
// when it has none.
func (s *Service) PasswordPolicy(ctx context.Context, account string) (*store.IAMPasswordPolicy, error) {
	var p *store.IAMPasswordPolicy
	err := s.view(ctx, account, func(r store.IAMReader) error {
		a, err := r.Account()
		p = a.PasswordPolicy
		return err
	})
	if err == nil && p == nil {
		return nil, errorf(NoSuchEntity, "The Password Policy with domain name %s cannot be found.", account)
	}
	return p, err
}

// SetPasswordPolicy sets the account's password policy; p is complete
// (UpdateAccountPasswordPolicy's omitted members take their defaults).
func (s *Service) SetPasswordPolicy(ctx context.Context, account string, p store.IAMPasswordPolicy) error {
	return s.update(ctx, account, func(w store.IAMWriter) error { return w.SetPasswordPolicy(&p) })
}

// DeletePasswordPolicy removes the account's password policy.
func (s *Service) DeletePasswordPolicy(ctx context.Context, account string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		a, err := w.Account()
		if err != nil {
			return err
		}
		if a.PasswordPolicy == nil {
			return errorf(NoSuchEntity, "The account policy with name PasswordPolicy cannot be found.")
		}
		return w.SetPasswordPolicy(nil)
	})
}

// passwordExpiry returns when a password changed at a time expires under
// a policy ("" when it never does).
func passwordExpiry(p *store.IAMPasswordPolicy, lp store.IAMLoginProfile) string {
	if p == nil || p.MaxAgeDays == 0 {
		return ""
	}
	return lp.Changed.AddDate(0, 0, p.MaxAgeDays).Format(reportTime)
}
