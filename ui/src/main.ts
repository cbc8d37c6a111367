// The page's entry point: mounts the Svelte app.
//
// Development only: `npm run dev`, then open http://localhost:1420/?demo — the test suite's
// fake backend stands in for the Tauri shell (customers pay by themselves after 5 s), so the
// screens can be seen in a plain browser. The production build drops this branch entirely.
import { mount } from "svelte";
import App from "./App.svelte";
import "./style.css";

async function start(): Promise<void> {
  if (import.meta.env.DEV && new URLSearchParams(location.search).has("demo")) {
    (window as unknown as { __FAKE_CONFIG__: unknown }).__FAKE_CONFIG__ = { demo: true, autoConfirmMs: 5000, user: null };
    await new Promise<void>((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "/tests/e2e/fake-backend.js";
      script.onload = () => resolve();
      script.onerror = () => reject(new Error("the demo backend could not be loaded"));
      document.head.append(script);
    });
  }
  const target = document.getElementById("app");
  if (target === null) throw new Error("index.html has no #app");
  mount(App, { target });
}

void start();
