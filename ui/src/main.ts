import { createApp } from 'vue'
import { createPinia } from 'pinia'
import Vant from 'vant'
import 'vant/lib/index.css'
import './styles.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'

// Vant's swipes, pickers and image preview listen to touches; on a desktop with a mouse
// (the office's PC, the WebDriver tests) the emulator turns mouse drags into touches.
// Loaded only where there is no touch screen.
if (!('ontouchstart' in window) && navigator.maxTouchPoints === 0) void import('@vant/touch-emulator')

createApp(App).use(createPinia()).use(i18n).use(router).use(Vant).mount('#app')
