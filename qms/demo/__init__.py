"""`qms demo`: a Spanish demo organisation (one user per role and the examples' process map).

Idempotent: users and processes are created only when missing. The first run picks random
passwords (a demo password is never a literal in the code), prints them and keeps them in
<instance>/demo-logins.txt (owner-only); later runs reuse them, so the logins people were given
keep working, until `--reset-passwords` picks new ones.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from qms.core.db import db
from qms.core.errors import DomainError
from qms.demo.audits import build_demo_audits
from qms.demo.capa import build_demo_capa
from qms.demo.documents import build_demo_documents
from qms.demo.identity import give_identity
from qms.processes import services as process_services
from qms.users import services as user_services
from qms.users.models import User


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    full_name: str
    job_title: str


@dataclass(frozen=True)
class DemoProcess:
    code: str
    name: str
    type: str
    objective: str
    parent: str | None
    leader: str | None
    members: tuple[str, ...]


USERS = (
    DemoUser("admin", "admin", "Carolina Restrepo Gómez", "Jefe Administrativa y de Tecnología"),
    DemoUser("calidad", "quality_lead", "Andrés Felipe Mejía Duque", "Coordinador de Calidad"),
    DemoUser("gerente", "approver", "Beatriz Elena Zuluaga Botero", "Gerente General"),
    DemoUser(
        "lider",
        "process_owner",
        "Luisa Fernanda Ospina Ríos",
        "Jefe Oficina de Prensa y Atención al Cliente",
    ),
    DemoUser("auditor", "auditor", "Jorge Iván Cárdenas Salazar", "Auditor interno"),
    DemoUser("auditora", "auditor", "María Camila Torres Arango", "Auditora interna"),
    DemoUser(
        "colaborador",
        "staff",
        "Diana Marcela Vargas López",
        "Auxiliar técnico de servicio al cliente",
    ),
)

# Codes and objectives follow ../shared/examples (CSC-AC-CR-01, PD-GCR-MR-002, the call centre's
# characterisation); the others are written in the same style. Parents come before children.
PROCESSES = (
    DemoProcess(
        "DE",
        "Direccionamiento Estratégico",
        "strategic",
        "Definir el plan estratégico, las políticas y los objetivos de la organización, y hacer "
        "seguimiento a su cumplimiento.",
        None,
        "calidad",
        ("admin",),
    ),
    DemoProcess(
        "GC",
        "Gestión de Calidad",
        "evaluation",
        "Mantener y mejorar el sistema de gestión de calidad: control de documentos y registros, "
        "auditorías internas, indicadores y acciones correctivas y de mejora.",
        None,
        "calidad",
        ("auditor",),
    ),
    DemoProcess(
        "AC",
        "Atención al Cliente",
        "core",
        "Establecer actividades que garanticen seguimiento y control de las Afiliaciones y "
        "atención de PQRS a fin de garantizar una respuesta oportuna y coherente de afiliados y "
        "beneficiarios.",
        None,
        "lider",
        ("colaborador",),
    ),
    DemoProcess(
        "CL",
        "Centro de Llamadas",
        "core",
        "Apoyar y aumentar el recaudo de cartera a nivel nacional, realizando contacto "
        "telefónico con los usuarios.",
        "AC",
        "lider",
        ("colaborador",),
    ),
    DemoProcess(
        "GCR",
        "Relaciones Corporativas",
        "core",
        "Establecer los mecanismos que aseguren la fidelización de los grupos de interés.",
        None,
        "lider",
        ("colaborador",),
    ),
    DemoProcess(
        "TH",
        "Talento Humano",
        "support",
        "Seleccionar, contratar, capacitar y evaluar al personal competente que requieren los "
        "procesos de la organización.",
        None,
        "admin",
        (),
    ),
    DemoProcess(
        "TI",
        "Tecnología e Información",
        "support",
        "Proveer y mantener la plataforma tecnológica y la información que requieren los "
        "procesos, con soporte oportuno a los usuarios.",
        None,
        "admin",
        (),
    ),
)


def demo_password(username: str) -> str:
    """A fresh random password (16 URL-safe characters) that passes the strength rule."""
    while True:
        password = secrets.token_urlsafe(12)
        if username.lower() not in password.lower():
            return password


def _demo_email(username: str) -> str:
    return f"{username}@demo.example"


LOGINS_FILE = "demo-logins.txt"


def logins_path(instance_path: Path | str) -> Path:
    return Path(instance_path) / LOGINS_FILE


def read_logins(path: Path) -> dict[str, str]:
    """The passwords a previous run kept ({} without the file); malformed lines are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    kept = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.startswith("#"):
            kept[parts[0]] = parts[1]
    return kept


def write_logins(path: Path, logins: list[tuple[str, str, str]]) -> None:
    """Replace the file atomically, created 0600 so no other local account can read it."""
    lines = [
        "# qms demo - DEMO ONLY accounts; `qms demo --reset-passwords` changes them.",
        "# username password role",
    ]
    lines += [f"{u} {p} {r}" for u, p, r in logins if p]
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    path.chmod(0o600)


def build_demo(
    session: Session, kept: dict[str, str] | None = None, *, reset: bool = False
) -> list[tuple[str, str, str]]:
    """Create what is missing; return (username, password, role) for every demo user.

    A demo account keeps the password in `kept` when that password still opens it (a new
    account takes it too); otherwise, or with `reset`, it gets a fresh one. The password is ""
    for an account of that name the demo did not create (left untouched).

    The actor is None (the server operator at the console); the trail records each write.
    """
    kept = {} if reset or kept is None else kept
    logins = []
    ids: dict[str, int] = {}
    for spec in USERS:
        password = kept.get(spec.username) or demo_password(spec.username)
        user = user_services.find_user(session, spec.username)
        if user is None:
            user = user_services.create_user(
                session,
                None,
                username=spec.username,
                full_name=spec.full_name,
                password=password,
                job_title=spec.job_title,
                email=_demo_email(spec.username),
                locale="es",
                roles=[spec.role],
                bypass_permission=True,
            )
        elif user.email == _demo_email(spec.username):
            if spec.username in kept and user_services.verify_password(user, password):
                ids[spec.username] = user.id
                logins.append((spec.username, password, spec.role))
                continue
            if spec.username in kept:
                password = demo_password(spec.username)  # the kept one no longer opens it
            user_services.set_password(session, None, user.id, password, bypass_permission=True)
        else:
            # An account of the same name that the demo did not create: never touch its password.
            password = ""
        ids[spec.username] = user.id
        logins.append((spec.username, password, spec.role))
    for process in PROCESSES:
        if process_services.find_process(session, process.code) is not None:
            continue
        parent = process_services.find_process(session, process.parent) if process.parent else None
        process_services.create_process(
            session,
            None,
            code=process.code,
            name=process.name,
            type=process.type,
            objective=process.objective,
            parent_id=parent.id if parent else None,
            leader_id=ids[process.leader] if process.leader else None,
            member_ids=[ids[name] for name in process.members],
            bypass_permission=True,
        )
    give_identity(session, session.get(User, ids["admin"]))  # before anything prints
    build_demo_documents(session, logins)  # signs with the passwords just set
    build_demo_capa(session, logins)  # the complaint → nonconformity → new version story
    build_demo_audits(session, logins)  # the year's programme, audits closed, running, planned
    return logins


@click.command("demo")
@click.option(
    "--reset-passwords",
    is_flag=True,
    help="Give every demo account a new password (by default the kept ones are reused).",
)
@with_appcontext
def demo_command(reset_passwords: bool) -> None:
    """Build the Spanish demo organisation (idempotent) and print the demo logins."""
    path = logins_path(current_app.instance_path)
    try:
        logins = build_demo(db.session, read_logins(path), reset=reset_passwords)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    write_logins(path, logins)
    renderer = current_app.extensions.get("qms_background_renderer")
    if renderer is not None and renderer.futures:
        # So that the demo's first prints are stamps over a cached PDF, not renders.
        click.echo("Rendering the base PDFs of the approved versions...")
        renderer.wait()
    rule = "=" * 64
    click.echo(rule)
    click.echo("DEMO ONLY - these accounts and passwords are for trying the system out.")
    click.echo(f"Kept in {path} (readable only by you).")
    click.echo("Running `qms demo` again keeps them; `qms demo --reset-passwords` changes them.")
    click.echo(rule)
    click.echo(f"{'username':<14} {'password':<20} role")
    for username, password, role in logins:
        shown = password or "(not a demo account; unchanged)"
        click.echo(f"{username:<14} {shown:<20} {role}")
    click.echo(rule)
