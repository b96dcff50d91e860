// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// @grafana/ui measures text on a canvas (MultiCombobox width "auto"); jsdom has no canvas.
HTMLCanvasElement.prototype.getContext = () => ({
  measureText: (text) => ({ width: String(text).length * 7 }),
  font: '',
});

// floating-ui / virtualised lists (Combobox) observe sizes
if (!global.ResizeObserver) {
  global.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}

if (!global.IntersectionObserver) {
  global.IntersectionObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  };
}
