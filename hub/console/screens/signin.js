// Sign in: a demo persona (dev issuer only) or a pasted token.
import { el, field } from "../lib/render.js";
import { t } from "../lib/i18n.js";

export async function show(main, signedIn) {
  const error = el("p", { class: "error", role: "alert", id: "signin-error" });
  const attempt = async (getToken) => {
    error.textContent = "";
    try { await signedIn(await getToken()); } catch (e) { error.textContent = e.words || String(e.message || e); }
  };
  const personas = await fetch("/dev/personas").then((r) => (r.ok ? r.json() : null)).catch(() => null);
  const card = el("section", { class: "card narrow", "aria-labelledby": "signin-h" }, el("h2", { id: "signin-h" }, t("signIn")));
  if (personas) {
    const org = el("select", { id: "org", required: true }, personas.organisations.map((p) => el("option", { value: p.id }, p.name)));
    const role = el("select", { id: "role", required: true });
    const fillRoles = () => {
      const chosen = personas.organisations.find((o) => o.id === org.value);
      role.replaceChildren(...chosen.roles.map((r) => el("option", { value: r }, t(r))));
    };
    org.addEventListener("change", fillRoles);
    fillRoles();
    const persona = el("form", { class: "stack", id: "persona-form" },
      el("p", {}, t("personaHelp")),
      el("label", { for: "org" }, t("organisation")), org,
      el("label", { for: "role" }, t("role")), role,
      el("button", { type: "submit" }, t("signIn")));
    persona.addEventListener("submit", (event) => {
      event.preventDefault();
      attempt(async () => {
        const response = await fetch("/dev/token", {
          method: "POST", headers: { "content-type": "application/json" },
          body: JSON.stringify({ org: org.value, role: role.value }),
        });
        const body = await response.json();
        if (!response.ok) throw new Error(body.error || String(response.status));
        return body.access_token;
      });
    });
    card.append(persona);
  }
  const pasted = field("token", t("pasteToken"), { type: "textarea", rows: 3 });
  const tokenForm = el("form", { class: "stack", id: "token-form" }, pasted, el("button", { type: "submit" }, t("useToken")));
  tokenForm.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(async () => pasted.querySelector("textarea").value.trim().replace(/^Bearer\s+/i, ""));
  });
  card.append(tokenForm, error);
  main.replaceChildren(card);
}
