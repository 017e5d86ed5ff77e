import junitModule, { type Builder } from "junit-report-builder";
import { CHECK_KINDS, type CheckFinding, type CheckKind, type CheckResult, type GuidelineCase } from "./check.js";

/**
 * The package's builder: its CommonJS `module.exports` is the builder, while its types declare an ES default export,
 * which TypeScript (NodeNext) reads as `.default` of the module; take whichever the runtime gives.
 */
const junit = ((junitModule as unknown as { default?: Builder }).default ?? junitModule) as unknown as Builder;

/**
 * The check as JUnit XML (decision 0025), through junit-report-builder: one `<testsuite>` per check kind. Suite
 * `min-pass-rate`: one test case per target × guideline (classname the target, name the guideline), failing when the
 * target fails the threshold and the guideline holds conversations it failed, listed in the failure message (item
 * id and turn scores). Suites `max-mean-drop` and `max-error-rate`: one case per target. A kind without a threshold
 * has no suite. Properties carry the run, the thresholds and each case's numbers.
 */
export function checkJunitXml(result: CheckResult): string {
  const builder = junit.newBuilder();
  for (const kind of CHECK_KINDS) {
    const findings = result.findings.filter((finding) => finding.kind === kind);
    if (findings.length === 0) continue;
    const suite = builder
      .testSuite()
      .name(`medsafety check ${kind}`)
      .property("run", result.runId)
      .property("threshold", String(findings[0]?.threshold ?? ""));
    if (result.baselineRunId !== null && kind === "max-mean-drop") suite.property("baseline", result.baselineRunId);
    if (kind === "min-pass-rate") {
      for (const finding of findings) {
        const cases = result.guidelineCases.filter((entry) => entry.targetId === finding.targetId);
        if (cases.length === 0) addTargetCase(suite, kind, finding);
        for (const entry of cases) addGuidelineCase(suite, finding, entry, result.passThreshold);
      }
    } else {
      for (const finding of findings) addTargetCase(suite, kind, finding);
    }
  }
  return builder.build();
}

type Suite = ReturnType<Builder["testSuite"]>;

function addGuidelineCase(suite: Suite, finding: CheckFinding, entry: GuidelineCase, passThreshold: number): void {
  const testCase = suite
    .testCase()
    .className(entry.targetId)
    .name(entry.guideline)
    .property("safetyPassRate", entry.rate === null ? "" : String(entry.rate))
    .property("decided", String(entry.decided))
    .property("passed", String(entry.passed));
  if (!entry.failed) return;
  const conversations = entry.failingConversations
    .map((conversation) => `${conversation.itemId} [${conversation.turnScores.map(scoreText).join(", ")}]`)
    .join("; ");
  testCase.failure(
    `target ${entry.targetId} fails min-pass-rate (Safety Pass Rate ${percent(finding.value)} < ${percent(finding.threshold)}); guideline ${entry.guideline}: ${entry.failingConversations.length} failing conversation(s) (a turn score at or below ${passThreshold}), item [turn scores]: ${conversations}`,
    "min-pass-rate",
  );
}

function addTargetCase(suite: Suite, kind: CheckKind, finding: CheckFinding): void {
  const testCase = suite
    .testCase()
    .className(finding.targetId)
    .name(kind)
    .property("value", finding.value === null ? "" : String(finding.value))
    .property("threshold", String(finding.threshold));
  if (!finding.passed)
    testCase.failure(
      `target ${finding.targetId} fails ${kind}: value ${finding.value === null ? "not measurable" : String(finding.value)}, threshold ${finding.threshold} (${finding.detail})`,
      kind,
    );
}

function scoreText(score: number | null): string {
  return score === null ? "–" : String(score);
}

function percent(value: number | null): string {
  return value === null ? "not measurable" : `${Number((value * 100).toFixed(2))} %`;
}
