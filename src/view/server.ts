/**
 * The viewer's HTTP server (hono on @hono/node-server): server-rendered pages, no client scripts, one POST (reviews).
 * Every response carries the security headers; requests naming another host are refused (DNS rebinding), and a POST
 * must come from the viewer's own origin with the server's form token.
 */
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { type Context, Hono } from "hono";
import { errorMessage, MedsafetyError, turnIndexOf } from "../core/index.js";
import type { Db, RunRecord } from "../store/index.js";
import { decodeCursor, parseFilter } from "./filter-params.js";
import { type Html, h, href, page } from "./layout.js";
import { LANGS, type Lang, type Messages, messagesFor } from "./messages.js";
import { conversationPage } from "./pages/conversation.js";
import { conversationsPage } from "./pages/conversations.js";
import { guidelinePage, strategyPage } from "./pages/library.js";
import { runPage, runPath } from "./pages/run.js";
import { runsPage } from "./pages/runs.js";
import { hostAllowed, newFormToken, SECURITY_HEADERS, sameOrigin, tokensMatch } from "./security.js";
import { VIEW_CSS } from "./styles.js";
import { ViewState } from "./view-state.js";

export interface ViewServerOptions {
  readonly db: Db;
  readonly storePath: string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly lang: Lang;
}

export interface ViewServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function langOf(c: Context, fallback: Lang): Lang {
  const asked = c.req.query("lang");
  return (LANGS as readonly string[]).includes(asked ?? "") ? (asked as Lang) : fallback;
}

function notFound(c: Context, m: Messages, what: string): Response {
  return c.html(
    page({
      m,
      title: m.t("notFound", { what }),
      otherLanguage: href("/", {}, m.lang === "en" ? "ja" : "en"),
      body: h`<p><a href="${href("/", {}, m.lang)}">${m.t("back")}</a></p>`,
    }),
    404,
  );
}

/** The hono app (exported for tests that call it without a socket). `port` is the bound port, for the Host check. */
export function createViewApp(
  state: ViewState,
  options: { readonly host: string; readonly port: () => number; readonly lang: Lang },
): Hono {
  const app = new Hono();
  app.use("*", async (c, next) => {
    if (!hostAllowed(c.req.header("host"), options.host, options.port())) {
      c.res = new Response("Refused: this viewer answers only requests to its own address.", { status: 421 });
    } else {
      await next();
    }
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });
  const withRun = (
    c: Context,
    render: (run: RunRecord, m: Messages) => Html | undefined | Promise<Html | undefined>,
  ): Promise<Response> | Response => {
    const m = messagesFor(langOf(c, options.lang));
    const run = state.run(c.req.param("run") ?? "");
    if (run === undefined) return notFound(c, m, c.req.param("run") ?? "");
    return Promise.resolve(render(run, m)).then((body) =>
      body === undefined ? notFound(c, m, c.req.path) : c.html(body),
    );
  };
  app.get("/static/view.css", (c) => c.body(VIEW_CSS, 200, { "Content-Type": "text/css; charset=utf-8" }));
  app.get("/", (c) => c.html(runsPage(state, messagesFor(langOf(c, options.lang)))));
  app.get("/runs/:run", (c) => withRun(c, (run, m) => runPage(state, run, m)));
  app.get("/runs/:run/conversations", (c) =>
    withRun(c, (run, m) => {
      const after = decodeCursor(c.req.query("after"));
      const before = decodeCursor(c.req.query("before"));
      return conversationsPage(state, run, m, {
        filter: parseFilter((name) => c.req.query(name)),
        ...(after === undefined ? {} : { after }),
        ...(before === undefined ? {} : { before }),
      });
    }),
  );
  app.get("/runs/:run/conversation", (c) =>
    withRun(c, (run, m) =>
      conversationPage(state, run, m, {
        targetId: c.req.query("target") ?? "",
        itemId: c.req.query("item") ?? "",
        ...(c.req.query("reviewed") === "1" ? { flash: { ok: true, text: m.t("reviewSaved") } } : {}),
      }),
    ),
  );
  app.get("/runs/:run/strategies/:strategy", (c) =>
    withRun(c, (run, m) => strategyPage(state, run, m, c.req.param("strategy") ?? "")),
  );
  app.get("/runs/:run/guidelines/:guideline", (c) =>
    withRun(c, (run, m) => guidelinePage(state, run, m, c.req.param("guideline") ?? "")),
  );
  app.post("/runs/:run/reviews", async (c) => {
    const form = await c.req.parseBody();
    const field = (name: string): string => (typeof form[name] === "string" ? form[name] : "");
    const lang = (LANGS as readonly string[]).includes(field("lang")) ? (field("lang") as Lang) : options.lang;
    const m = messagesFor(lang);
    if (
      !sameOrigin(c.req.header("origin"), c.req.header("host"), c.req.header("sec-fetch-site")) ||
      !tokensMatch(state.formToken, form["token"])
    ) {
      return c.html(
        page({
          m,
          title: m.t("forbidden", { why: "cross-site request" }),
          otherLanguage: href("/", {}, lang),
          body: h``,
        }),
        403,
      );
    }
    const run = state.run(c.req.param("run"));
    if (run === undefined) return notFound(c, m, c.req.param("run"));
    const request = { targetId: field("target"), itemId: field("item") };
    const score = field("score").trim() === "" ? Number.NaN : Number(field("score"));
    // The form names the turn as people do (from 1); the store keeps the 0-based index.
    const turn = field("turn").trim() === "" ? Number.NaN : Number(field("turn"));
    try {
      state.reviews.add({
        runId: run.id,
        ...request,
        turnIndex: turnIndexOf(turn),
        rubricId: field("rubric"),
        score,
        reason: field("reason"),
        reviewer: field("reviewer"),
      });
    } catch (error) {
      if (!(error instanceof MedsafetyError)) throw error;
      const body = conversationPage(state, run, m, {
        ...request,
        flash: { ok: false, text: m.t("reviewRejected", { message: error.message }) },
      });
      return body === undefined ? notFound(c, m, request.itemId) : c.html(body, 400);
    }
    return c.redirect(
      href(
        runPath(run, "/conversation"),
        { ...{ target: request.targetId, item: request.itemId }, reviewed: "1" },
        lang,
      ),
      303,
    );
  });
  app.notFound((c) => notFound(c, messagesFor(langOf(c, options.lang)), c.req.path));
  app.onError((error, c) => {
    const m = messagesFor(langOf(c, options.lang));
    const message = errorMessage(error);
    return c.html(
      page({
        m,
        title: "Error",
        otherLanguage: href("/", {}, m.lang),
        body: h`<p class="status-error">${message}</p>`,
      }),
      500,
    );
  });
  return app;
}

/** Starts the viewer; resolves once it listens. */
export function startViewServer(options: ViewServerOptions): Promise<ViewServer> {
  const host = options.host ?? "127.0.0.1";
  const state = new ViewState(options.db, options.storePath, newFormToken());
  let port = options.port;
  const app = createViewApp(state, { host, port: () => port, lang: options.lang });
  return new Promise((resolve, reject) => {
    let server: ServerType | undefined;
    const onError = (error: Error): void =>
      reject(
        new MedsafetyError(
          "config_invalid",
          `The viewer cannot listen on ${host}:${options.port}: ${error.message}. Pick another --port (0 picks a free one).`,
          { cause: error },
        ),
      );
    server = serve({ fetch: app.fetch, port: options.port, hostname: host }, (info: AddressInfo) => {
      port = info.port;
      server?.off("error", onError);
      const shown = host.includes(":") ? `[${host}]` : host;
      resolve({
        url: `http://${shown}:${port}/`,
        port,
        close: async () => {
          const closable = server as unknown as { close(callback: () => void): void; closeAllConnections?: () => void };
          const stopped = new Promise<void>((done) => {
            closable.close(() => done());
            closable.closeAllConnections?.();
          });
          // Both settle; a failure to close the store reaches the caller instead of becoming an unhandled rejection.
          await Promise.all([state.close(), stopped]);
        },
      });
    });
    server.once("error", onError);
  });
}
