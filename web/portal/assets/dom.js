// Small DOM helpers: elements are built with text nodes only (never innerHTML), so nothing a
// server or a receiver returned can become markup.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "className") {
      element.className = value;
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

let counter = 0;
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

export function time(iso) {
  if (!iso) return h("span", {}, "—");
  const date = new Date(iso);
  return h("time", { datetime: iso, title: iso }, date.toLocaleString());
}

export function ago(iso) {
  if (!iso) return "never";
  const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}

export function ms(value) {
  if (value === null || value === undefined) return "—";
  return value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`;
}

export function percent(part, whole) {
  if (!whole) return "—";
  return `${((100 * part) / whole).toFixed(part === whole ? 0 : 1)} %`;
}

export function badge(text, kind) {
  return h("span", { className: `badge badge-${kind}` }, text);
}

// A field with its label, hint and error slot, wired with aria-describedby.
export function field(label, control, hint) {
  const id = control.id || uid("field");
  control.id = id;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  control.setAttribute("aria-describedby", hint ? `${hintId} ${errorId}` : errorId);
  return h(
    "div",
    { className: "field" },
    h("label", { for: id }, label),
    hint ? h("p", { className: "hint", id: hintId }, hint) : null,
    control,
    h("p", { className: "field-error", id: errorId, hidden: true }),
  );
}

export function showFieldError(control, message) {
  const slot = document.getElementById(`${control.id}-error`);
  control.setAttribute("aria-invalid", "true");
  if (slot) {
    slot.textContent = message;
    slot.hidden = false;
  }
}

export function clearFieldErrors(root) {
  for (const control of root.querySelectorAll("[aria-invalid]")) {
    control.removeAttribute("aria-invalid");
  }
  for (const slot of root.querySelectorAll(".field-error")) {
    slot.textContent = "";
    slot.hidden = true;
  }
}

// Copy text, with a fallback for pages not served over a secure context.
export async function copy(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = h("textarea", { className: "visually-hidden", readonly: true });
  area.value = text;
  document.body.append(area);
  area.select();
  document.execCommand("copy");
  area.remove();
}

export function copyButton(text, what) {
  const button = h("button", { type: "button", className: "secondary" }, `Copy ${what}`);
  button.addEventListener("click", async () => {
    try {
      await copy(text);
      button.textContent = `Copied ${what}`;
      announce(`${what} copied to the clipboard`);
    } catch {
      button.textContent = `Select and copy the ${what} by hand`;
    }
  });
  return button;
}

// One polite live region for the whole page.
export function announce(message) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = message;
  }, 50);
}

export function confirmDialog(title, body, confirmLabel, danger = false) {
  return new Promise((resolve) => {
    const titleId = uid("dialog-title");
    const dialog = h(
      "dialog",
      { "aria-labelledby": titleId, className: "dialog" },
      h("h2", { id: titleId }, title),
      typeof body === "string" ? h("p", {}, body) : body,
    );
    const cancel = h("button", { type: "button", className: "secondary" }, "Cancel");
    const ok = h("button", { type: "button", className: danger ? "danger" : "" }, confirmLabel);
    dialog.append(h("div", { className: "actions" }, cancel, ok));
    const close = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    cancel.addEventListener("click", () => close(false));
    ok.addEventListener("click", () => close(true));
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      close(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

export function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
