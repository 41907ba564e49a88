// Which validation issues to show where. A fresh form is full of "required" issues; showing them
// all at once would shout at the inspector before they did anything, so an item's issues appear
// once it was touched, and all of them after a submit was tried.
import type { FormIssueView } from '../bindings/FormIssueView'

export interface IssueVisibility {
  touched: ReadonlySet<string>
  submitTried: boolean
}

export function visibleIssues(issues: readonly FormIssueView[], visibility: IssueVisibility): FormIssueView[] {
  if (visibility.submitTried) return [...issues]
  return issues.filter((issue) => visibility.touched.has(issue.item))
}

/** Issues shown at each item, by item key. */
export function issuesByItem(issues: readonly FormIssueView[], visibility: IssueVisibility): Map<string, FormIssueView[]> {
  const byItem = new Map<string, FormIssueView[]>()
  for (const issue of visibleIssues(issues, visibility)) {
    const list = byItem.get(issue.item)
    if (list) list.push(issue)
    else byItem.set(issue.item, [issue])
  }
  return byItem
}

export function issueMessage(issue: FormIssueView, language: string): string {
  return language.startsWith('zh') ? issue.message_zh : issue.message_en
}
