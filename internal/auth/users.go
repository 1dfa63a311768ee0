package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// User is a staff account as the rest of the product sees it (never its hash).
type User struct {
	ID          uuid.UUID
	Email       string
	Name        string
	IsDemo      bool
	HasPassword bool // false for an invited person who has not chosen one yet
	DisabledAt  *time.Time
	LastLoginAt *time.Time
	CreatedAt   time.Time
}

func userFromRow(r db.User) *User {
	return &User{ID: r.ID, Email: r.Email, Name: r.DisplayName, IsDemo: r.IsDemo,
		HasPassword: r.PasswordHash != "", DisabledAt: r.DisabledAt,
		LastLoginAt: r.LastLoginAt, CreatedAt: r.CreatedAt}
}

// Messages of the account fields.
const (
	msgEmailInvalid  = "Inserisci un indirizzo email valido, per esempio nome.cognome@comune.it."
	msgNameInvalid   = "Inserisci il nome e cognome (al massimo 200 caratteri)."
	msgEmailConflict = "Esiste già un utente con questa email."
)

// NormalizeEmail trims and lower-cases an address; accounts are looked up that way.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validName(s string) bool {
	n := utf8.RuneCountInString(s)
	return n >= 1 && n <= 200 && !strings.ContainsAny(s, "\r\n\t")
}

// CreateUserParams describes a new account (CLI, demo data).
type CreateUserParams struct {
	Email    string
	Name     string
	Password string
	Demo     bool // demo accounts are created by the development seed and listed as such
}

// CreateUser adds an account with a password. A duplicate e-mail is apperr.Conflict; invalid
// fields are apperr.Invalid with a message per field ("email", "name", "password").
func (s *Service) CreateUser(ctx context.Context, p CreateUserParams) (uuid.UUID, error) {
	email, name := NormalizeEmail(p.Email), strings.TrimSpace(p.Name)
	f := map[string]string{}
	if !web.ValidEmail(email) {
		f["email"] = msgEmailInvalid
	}
	if !validName(name) {
		f["name"] = msgNameInvalid
	}
	if msg := ValidatePassword(p.Password, email); msg != "" {
		f["password"] = msg
	}
	if len(f) > 0 {
		return uuid.Nil, apperr.InvalidFields(f)
	}
	hash, err := hashPassword(ctx, p.Password)
	if err != nil {
		return uuid.Nil, err
	}
	var id uuid.UUID
	err = s.db.InSystemTx(ctx, func(tx *tenant.Tx) error {
		u, err := tx.UserCreate(ctx, db.UserCreateParams{Email: email, DisplayName: name, PasswordHash: hash, IsDemo: p.Demo})
		id = u.ID
		return err
	})
	if err != nil {
		return uuid.Nil, emailConflict(err)
	}
	return id, nil
}

func emailConflict(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "users_email_key" {
		return &apperr.Error{Kind: apperr.Conflict, Message: msgEmailConflict,
			Fields: map[string]string{"email": msgEmailConflict}, Cause: err}
	}
	return err
}

// UserByEmail returns the account with that e-mail, or apperr.ErrNotFound.
func (s *Service) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u *User
	err := s.db.InSystemTx(ctx, func(tx *tenant.Tx) error {
		r, err := tx.UserGetByEmail(ctx, NormalizeEmail(email))
		if err != nil {
			return err
		}
		u = userFromRow(r)
		return nil
	})
	if tenant.IsNoRows(err) {
		return nil, apperr.ErrNotFound
	}
	return u, err
}

// UserByID returns the account with that id, or apperr.ErrNotFound.
func (s *Service) UserByID(ctx context.Context, id uuid.UUID) (*User, error) {
	var u *User
	err := s.db.InSystemTx(ctx, func(tx *tenant.Tx) error {
		r, err := tx.UserGetByID(ctx, id)
		if err != nil {
			return err
		}
		u = userFromRow(r)
		return nil
	})
	if tenant.IsNoRows(err) {
		return nil, apperr.ErrNotFound
	}
	return u, err
}

// SetPassword replaces the password of an account (after the policy check, field "password"),
// retires pending reset links and ends every session of the account.
func (s *Service) SetPassword(ctx context.Context, userID uuid.UUID, password string) error {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if msg := ValidatePassword(password, u.Email); msg != "" {
		return apperr.InvalidFields(map[string]string{"password": msg})
	}
	hash, err := hashPassword(ctx, password)
	if err != nil {
		return err
	}
	err = s.db.InSystemTx(ctx, func(tx *tenant.Tx) error {
		return setPasswordTx(ctx, tx, userID, hash)
	})
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return s.RevokeUserSessions(ctx, userID)
}

func setPasswordTx(ctx context.Context, tx *tenant.Tx, userID uuid.UUID, hash string) error {
	if err := tx.UserSetPassword(ctx, db.UserSetPasswordParams{ID: userID, PasswordHash: hash}); err != nil {
		return err
	}
	return tx.UserTokensRetire(ctx, db.UserTokensRetireParams{UserID: userID, Purpose: purposeReset})
}

// EnsureDemoUser returns the demo account with that e-mail, creating it (marked as demo) when
// missing and giving it password when it has another one, so that the logins printed by the
// development seed always work. A non-demo account with that e-mail is left alone.
func (s *Service) EnsureDemoUser(ctx context.Context, email, name, password string) (uuid.UUID, error) {
	id, err := s.CreateUser(ctx, CreateUserParams{Email: email, Name: name, Password: password, Demo: true})
	if apperr.KindOf(err) != apperr.Conflict {
		return id, err
	}
	var r db.User
	err = s.db.InSystemTx(ctx, func(tx *tenant.Tx) error {
		r, err = tx.UserGetByEmail(ctx, NormalizeEmail(email))
		return err
	})
	if err != nil {
		return uuid.Nil, fmt.Errorf("demo user %s: %w", email, err)
	}
	if !r.IsDemo {
		return r.ID, nil
	}
	if ok, _, err := checkPassword(ctx, password, r.PasswordHash); err != nil || ok {
		return r.ID, err
	}
	return r.ID, s.SetPassword(ctx, r.ID, password)
}
