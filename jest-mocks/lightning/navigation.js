/** lightning/navigation mock (lwc-recipes style): records the last page reference for assertions. */
export const CurrentPageReference = jest.fn();

let navigatePageReference;
let navigateReplace;

export const NavigationMixin = (Base) => {
  return class extends Base {
    [NavigationMixin.Navigate](pageReference, replace) {
      navigatePageReference = pageReference;
      navigateReplace = replace;
    }
    [NavigationMixin.GenerateUrl](pageReference) {
      navigatePageReference = pageReference;
      return Promise.resolve(`https://example.test/${pageReference?.attributes?.recordId ?? ''}`);
    }
  };
};
NavigationMixin.Navigate = Symbol('Navigate');
NavigationMixin.GenerateUrl = Symbol('GenerateUrl');

/** Test helper: what the component last navigated to. */
export const getNavigateCalledWith = () => ({ pageReference: navigatePageReference, replace: navigateReplace });

/** Test helper: forget the last navigation. */
export const resetNavigation = () => {
  navigatePageReference = undefined;
  navigateReplace = undefined;
};
