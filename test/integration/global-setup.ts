// Placeholder: replaced by the control-plane harness (issue 5).
export default function setup(): void {}
