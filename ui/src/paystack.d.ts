// @paystack/inline-js ships no types: the part Malipo uses.
declare module "@paystack/inline-js" {
  interface ResumeCallbacks {
    onSuccess?: (tx: { reference: string; status?: string }) => void;
    onCancel?: () => void;
    onLoad?: () => void;
    onError?: (err: { message?: string }) => void;
  }
  export default class PaystackPop {
    resumeTransaction(accessCode: string, callbacks?: ResumeCallbacks): unknown;
  }
}
