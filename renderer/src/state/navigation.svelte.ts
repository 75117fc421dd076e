/** Where the user is: one of the app's places, plus whether the settings panel is open. */
export const places = [
  { id: 'create', label: 'Create', shortcut: '1' },
  { id: 'queue', label: 'Queue', shortcut: '2' },
  { id: 'library', label: 'Library', shortcut: '3' },
  { id: 'storyboard', label: 'Storyboard', shortcut: '4' },
] as const;

export type Place = (typeof places)[number]['id'];

class Navigation {
  place = $state<Place>('create');
  settingsOpen = $state(false);
  /** A settings section to bring into view when the panel opens (then cleared by that section). */
  settingsSection = $state<'hosting' | undefined>();

  go(place: Place): void {
    this.place = place;
    this.settingsOpen = false;
  }

  openSettings(section?: 'hosting'): void {
    this.settingsSection = section;
    this.settingsOpen = true;
  }
}

export const navigation = new Navigation();
